"""The signals reports sends for the apps above it (reports imports none of them).

`publication_stored`: sent by reports.publication.publish inside its transaction, once
the new Publication rows of a month are saved, with `publications` (the list of new
rows; those made before are not sent again). A receiver that raises rolls the whole
publication back: publications signs and logs every file here (publications/signing.py),
and nothing unsigned goes out. Raise reports.publication.PublicationFailed with a
reason in words to have it shown on the review page."""

from django.dispatch import Signal

publication_stored = Signal()
