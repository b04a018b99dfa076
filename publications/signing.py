"""Every file of a new publication is signed and logged as it is stored (issue 25,
point 2): the receiver of reports.signals.publication_stored, connected in
PublicationsConfig.ready. It runs in publish()'s transaction: when the key cannot be
used it raises PublicationFailed saying that publishing waits, and the whole
publication is rolled back."""

from intake.months import format_month
from reports.publication import PublicationFailed

from .keys import PublishingWaits
from .models import LogEntry, SignedFile
from .services import sign_and_log


def file_name(publication, kind: str) -> str:
    """The name the export is saved under (reports.views._file_name), e.g.
    report-desertion-help-2023-11-v1-public.json: minisign finds the .minisig next to it."""
    return f"{publication.report.file_name}-{publication.profile}.{kind}"


def sign_publications(sender, publications, **kwargs) -> None:
    try:
        for publication in publications:
            for language, files in sorted(publication.files.items()):
                for kind in ("json", "csv"):
                    signed = sign_and_log(
                        content=files[kind].encode(), name=file_name(publication, kind),
                        comment={"scope": publication.programme.slug if publication.programme_id else "all",
                                 "month": format_month(publication.month), "version": publication.version,
                                 "profile": publication.profile, "fingerprint": publication.fingerprint,
                                 "language": language, "kind": kind})
                    SignedFile.objects.create(publication=publication, language=language, kind=kind,
                                              entry=LogEntry.objects.get(index=signed.index))
    except PublishingWaits as exc:
        raise PublicationFailed(str(exc)) from exc


def signature_of(publication, kind: str, language: str) -> SignedFile | None:
    """The signed file of the publication's `kind` export in `language`, picked as
    Publication.text picks the file (English if it has none in that language)."""
    language = language if language in publication.files else "en"
    return publication.signed_files.select_related("entry").filter(language=language, kind=kind).first()
