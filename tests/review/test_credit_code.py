"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character alphabet (no I, O, Z, S, V), the administrative division code in characters 3-8,
and a mod-31 check character. Each refusal has its own error code, so forms can say exactly what
is wrong.
"""

import random

import pytest
from django.core.exceptions import ValidationError

from review.validators import CREDIT_CODE_ALPHABET, credit_code_check_char, validate_credit_code

# Codes as printed on the business licences of well-known companies (public registry data).
PUBLISHED = [
    "914403001922038216",  # 华为技术有限公司 (Shenzhen): check character 6
    "91110108551385082Q",  # 小米科技有限责任公司 (Beijing Haidian): check character Q
    "91330100716105852F",  # 阿里巴巴（中国）有限公司 (Hangzhou): check character F
]


def code_of(exc: pytest.ExceptionInfo) -> str:
    return exc.value.code


def with_check(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def test_check_character_of_a_published_code_by_hand():
    # GB 32100-2015 §5: weights 3^i mod 31; check = 31 - (sum mod 31), 31 -> 0.
    # 9 1 4 4 0 3 0 0 1 9 2 2 0 3 8 2 1 times 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 + 20 + 261 + 50 + 26 + 0 + 72 + 80 + 60 + 28 = 831;
    # 831 mod 31 = 25 (26 * 31 = 806); 31 - 25 = 6 -> "6", as printed.
    assert credit_code_check_char("91440300192203821") == "6"


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_accepted(code):
    assert credit_code_check_char(code[:17]) == code[17]
    validate_credit_code(code)


def test_lower_case_and_surrounding_spaces_are_accepted():
    validate_credit_code("  91330100716105852f ")


def test_generated_codes_are_accepted_and_every_other_check_character_refused():
    rng = random.Random(32100)
    for _ in range(200):
        first17 = "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(2))
        first17 += "".join(rng.choice("0123456789") for _ in range(6))
        first17 += "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
        good = credit_code_check_char(first17)
        validate_credit_code(first17 + good)
        wrong = rng.choice(CREDIT_CODE_ALPHABET.replace(good, ""))
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(first17 + wrong)
        assert code_of(exc) == "credit_code_check"


def test_a_sum_divisible_by_31_gives_check_character_zero():
    # All zeros: the weighted sum is 0, so the check character is "0", not the 31st character.
    assert credit_code_check_char("0" * 17) == "0"
    validate_credit_code("0" * 18)


@pytest.mark.parametrize("value", ["", None, "91440300192203821", "9144030019220382160",
                                   "914403001922038216" * 2])
def test_wrong_length_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    assert code_of(exc) == "credit_code_length"
    assert exc.value.params == {"n": len((value or "").strip())}


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_refused(letter):
    # The letter sits in the organisation part, where letters are otherwise fine.
    code = "91440300" + letter + "22038216" + "6"
    assert len(code) == 18
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert code_of(exc) == "credit_code_chars"
    assert letter in exc.value.params["chars"]


@pytest.mark.parametrize("char", ["-", "的", "*"])
def test_other_characters_are_refused(char):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("9144030019220382" + char + "6")
    assert code_of(exc) == "credit_code_chars"


@pytest.mark.parametrize("division", ["A40300", "44030B", "4403XY"])
def test_a_division_code_with_letters_is_refused(division):
    # Valid alphabet and a correct check character: only the division code is wrong.
    code = with_check("91" + division + "192203821")
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert code_of(exc) == "credit_code_division"


def test_a_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("914403001922038217")  # Huawei's with 7 for 6
    assert code_of(exc) == "credit_code_check"


@pytest.mark.django_db
def test_the_enterprise_form_field_uses_the_validator():
    from review.models import Enterprise

    enterprise = Enterprise(name="测试企业", credit_code="914403001922038217")
    with pytest.raises(ValidationError) as exc:
        enterprise.full_clean()
    assert [e.code for e in exc.value.error_dict["credit_code"]] == ["credit_code_check"]
    enterprise.credit_code = "914403001922038216"
    enterprise.full_clean()
