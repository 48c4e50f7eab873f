import pytest

from apps.accounts.models import Tier


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_flushes_tables():
    assert Tier.objects.count() == 3
    Tier.objects.all().delete()  # what the flush after a transactional test does
    assert not Tier.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_tiers_are_back_for_the_next_transactional_test():
    assert set(Tier.objects.values_list("name", flat=True)) == {"free", "pro", "enterprise"}
    assert Tier.objects.get(name="pro").monthly_credits == 3000
