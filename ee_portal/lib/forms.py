"""Form helpers shared by the apps' views."""

from django import forms
from django.core.exceptions import ValidationError


def add_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names a field of the
    form, otherwise at the top. Works for dict-style and plain errors alike."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
