"""Notices about meetings and committee terms (orglife): their kind and whether a user wants them by email."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_reminder'),
    ]

    operations = [
        migrations.AddField(
            model_name='notificationpreference',
            name='on_orglife',
            field=models.BooleanField(default=True, verbose_name='meetings, make-up study and committee terms of my organisation'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('reply', 'A reply to my post'), ('stage', 'A stage change of a consultation I took part in'), ('outcome', 'A published outcome or implementation update'), ('moderation', 'Moderation of my post'), ('appeal', "Residents' requests I reported or handle"), ('membership', 'Due membership work: recruitment steps, contacts, dues, required study'), ('reminder', 'A reminder about work that is due'), ('orglife', 'Meetings and committee terms of my organisation')], max_length=16),
        ),
    ]
