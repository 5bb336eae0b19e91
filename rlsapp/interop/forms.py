from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from rlsapp.domain import conventions
from rlsapp.filesizes import describe_sizes
from rlsapp.reconfirm import password_reconfirmed

from .dates import DATE_ORDERS
from .fhir_bundle import encoding_of

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
FHIR_EXTENSIONS = (".json", ".fhir")
REFUSED_EXTENSIONS = {
    ".xlsx": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".ods": "a spreadsheet",
    ".numbers": "a Numbers spreadsheet",
    ".pdf": "a PDF",
    ".xml": "an XML file (rlsapp reads FHIR as JSON)",
    ".zip": "a zip file",
}


def source_of(name: str, data: bytes) -> tuple[str, str]:
    """("fhir" or "csv", a note): the content decides, the name only when it agrees.

    A CSV starts with a header or a letterhead, never with "{"; a FHIR Bundle in JSON
    always does. The note says when the name claimed the other format, so that the
    preview (or the refusal) explains why the file was read as it was.
    """
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    codec, _name, skip = encoding_of(data)  # a Bundle saved as UTF-16 starts with a mark
    if data[skip : skip + 400].decode(codec, "ignore").lstrip(" \t\r\n")[:1] == "{":
        if name.endswith(CSV_EXTENSIONS):
            return "fhir", (
                f"The file is named {extension} but holds JSON: it was read as a FHIR Bundle."
            )
        return "fhir", ""
    if name.endswith(FHIR_EXTENSIONS):
        return "csv", f"The file is named {extension} but holds no JSON: it was read as CSV."
    return "csv", ""


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A CSV file from a spreadsheet or a lab (comma or semicolon separated), "
        "or a FHIR R4 Bundle in JSON from a patient portal.",
    )
    date_order = forms.ChoiceField(
        label="Dates in the file",
        choices=list(DATE_ORDERS.items()),
        initial="auto",
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_date_order(self):
        return self.cleaned_data.get("date_order") or "auto"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            size_shown, limit_shown = describe_sizes(upload.size, limit)
            raise forms.ValidationError(
                f"The file is {size_shown}; the limit is {limit_shown}. "
                "Split it, or export a shorter period."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        name = (upload.name or "").lower()
        for extension, what in REFUSED_EXTENSIONS.items():
            if name.endswith(extension):
                raise forms.ValidationError(
                    f"This is {what}, not CSV or FHIR JSON: save or export it as CSV first."
                )
        data = upload.read(limit + 1)
        if len(data) > limit:  # the declared size can lie
            raise forms.ValidationError(f"The file is over {filesizeformat(limit)}.")
        self.data_bytes = data
        self.source, self.source_note = source_of(name, data)
        return upload


class DateOrderForm(forms.Form):
    date_order = forms.ChoiceField(
        label="Dates in the file",
        choices=[(k, v) for k, v in DATE_ORDERS.items() if k != "auto"],
        widget=forms.RadioSelect,
    )


class NumberConventionForm(forms.Form):
    number_convention = forms.ChoiceField(
        label="Numbers in the file",
        choices=list(conventions.CONVENTIONS.items()),
        widget=forms.RadioSelect,
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand this deletes my account and every record in it, for good.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_reconfirmed(self.user, password):
            raise forms.ValidationError("That is not your password.")
        return password
