from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Peer
from .verify import Refused, read_key


class PeerForm(forms.Form):
    name = forms.SlugField(label=_("Short name"), max_length=60,
                           help_text=_("Letters, digits and dashes, e.g. hochu-zhit. Commands name the peer by it."),
                           error_messages={"required": _("Enter a short name for the peer, e.g. hochu-zhit."),
                                           "invalid": _("Use only letters, digits, dashes and underscores in the "
                                                        "short name, e.g. hochu-zhit.")})
    key = forms.CharField(label=_("Publication key"), widget=forms.Textarea(attrs={"rows": 3}),
                          help_text=_("The contents of the peer's key.pub, from its /publications/key.pub. Check it "
                                      "with the peer by another channel."),
                          error_messages={"required": _("Paste the peer's publication key (its key.pub).")})
    url = forms.URLField(label=_("Address of its instance (optional)"), required=False, max_length=300,
                         assume_scheme="https",
                         help_text=_("e.g. https://intake.example.org/ — its signed documents are then fetched "
                                     "every day."),
                         error_messages={"invalid": _("Enter the address in full, e.g. https://intake.example.org/.")})

    def clean_name(self):
        name = self.cleaned_data["name"]
        if Peer.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A peer named %(name)s exists already: choose another short name.")
                                        % {"name": name})
        return name

    def clean_key(self):
        key = self.cleaned_data["key"]
        try:
            key_id, _line = read_key(key)
        except Refused:
            raise forms.ValidationError(_("This is not a minisign public key. Paste both lines of the peer's key.pub: "
                                          "“untrusted comment: …” and the line after it.")) from None
        if Peer.objects.filter(key_id=key_id).exists():
            raise forms.ValidationError(_("Key %(key)s is pinned for another peer already.") % {"key": key_id})
        return key
