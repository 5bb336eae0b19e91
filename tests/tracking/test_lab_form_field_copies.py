"""The draw form copies its analyte fields (built once at import) for each form with
lab_form._copied instead of copy.deepcopy: each copy must be what deepcopy makes, with the
same attributes, and new containers exactly where deepcopy makes new ones, so that no form
can change another's field."""

import copy

import pytest
from django import forms

from rlsapp.tracking import lab_form

FIELDS = [
    (code, kind, field)
    for code, (text, unit, _) in lab_form.ANALYTE_FIELDS.items()
    for kind, field in (("text", text), ("unit", unit))
]


def same_as_deepcopy(original, mine, theirs, path):
    assert type(mine) is type(theirs), path
    assert vars(mine).keys() == vars(theirs).keys(), path
    for name, value in vars(theirs).items():
        ours, source = vars(mine)[name], vars(original)[name]
        where = f"{path}.{name}"
        # A new object where deepcopy made one, the original's where deepcopy kept it.
        assert (ours is source) == (value is source), where
        if isinstance(value, forms.Widget):
            same_as_deepcopy(source, ours, value, where)
        else:
            assert ours == value, where
            if isinstance(value, list):
                for a, b, c in zip(ours, value, source, strict=True):
                    assert (a is c) == (b is c), where


@pytest.mark.parametrize(("code", "kind", "field"), FIELDS, ids=[f"{c}-{k}" for c, k, _ in FIELDS])
def test_a_copied_field_is_what_deepcopy_makes(code, kind, field):
    same_as_deepcopy(field, lab_form._copied(field), copy.deepcopy(field), f"{code}_{kind}")


def test_changing_a_copy_leaves_the_field_and_other_copies_alone():
    _, unit, _ = lab_form.ANALYTE_FIELDS["ferritin"]
    one, two = lab_form._copied(unit), lab_form._copied(unit)
    one.widget.attrs["class"] = "changed"
    one.error_messages["required"] = "changed"
    one.validators.append(lambda value: None)
    one.choices = [("x", "x")]
    assert "class" not in two.widget.attrs and "class" not in unit.widget.attrs
    assert two.error_messages == unit.error_messages != one.error_messages
    assert two.validators == unit.validators != one.validators
    assert two.choices == unit.choices == two.widget.choices != one.choices


def test_choices_that_are_not_plain_pairs_are_deep_copied():
    field = forms.ChoiceField(choices=[("Group", [("a", "A"), ("b", "B")])])
    copied = lab_form._copied(field)
    assert copied.choices == field.choices
    assert copied.choices[0][1] is not field.choices[0][1]
    assert copied.widget.choices == field.widget.choices


def test_the_forms_base_fields_copy_as_deepcopy_copies_them():
    """BaseForm.__init__ deep-copies base_fields: the same fields as deepcopy of each."""
    base = lab_form.LabDrawForm.base_fields
    copied = copy.deepcopy(base)
    assert type(copied) is dict and copied.keys() == base.keys()
    for name, field in base.items():
        same_as_deepcopy(field, copied[name], copy.deepcopy(field), name)


def test_a_field_with_its_own_deepcopy_is_deep_copied():
    fields = lab_form._CopiedFields(
        split=forms.SplitDateTimeField(), multiple=forms.MultipleChoiceField(choices=[("a", "A")])
    )
    copied = copy.deepcopy(fields)
    assert not lab_form._plain(fields["split"])
    assert copied["split"].fields[0] is not fields["split"].fields[0]
    assert copied["multiple"].choices == fields["multiple"].choices


def test_a_choice_widget_on_another_field_gets_its_own_choices():
    # A base field passes _plain with a select widget too (a yes/no field as a select):
    # deepcopy gives each form's widget its own list of choices, and so must the copy.
    field = forms.CharField(widget=forms.Select(choices=[("a", "A"), ("b", "B")]))
    assert lab_form._plain(field)
    copied = copy.deepcopy(lab_form._CopiedFields(choice=field))["choice"]
    same_as_deepcopy(field, copied, copy.deepcopy(field), "choice")
    copied.widget.choices.append(("c", "C"))
    assert field.widget.choices == [("a", "A"), ("b", "B")]
