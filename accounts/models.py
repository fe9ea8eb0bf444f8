from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(r"^\+?[0-9][0-9 -]{5,19}$", _("Enter a valid phone number."))


class UserManager(DjangoUserManager):
    """Users sign in by email; the username is kept only for Wagtail's admin."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email)
        username = username or email
        return super()._create_user(username, email, password, **extra_fields)

    def create_user(self, username=None, email=None, password=None, **extra_fields):
        return super().create_user(username, email, password, **extra_fields)

    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person using Gongzhi: resident, member, editor, secretary or admin."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        # Chinese names are written family name first with no space.
        return self.display_name or f"{self.last_name}{self.first_name}" or self.email

    def get_short_name(self) -> str:
        return self.get_full_name()
