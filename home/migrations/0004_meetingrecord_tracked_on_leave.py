"""Meeting records counted from sign-ins (orglife): existing typed records stay as they are (tracked=False,
nobody on leave) and keep counting; the 组织生活会 joins the kinds."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('home', '0003_content_pages'),
        ('organizations', '0002_residence_from_consultation'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='meetingrecord',
            name='meeting_attendance_within_due',
        ),
        migrations.AddField(
            model_name='meetingrecord',
            name='on_leave',
            field=models.PositiveIntegerField(default=0, verbose_name='on leave'),
        ),
        migrations.AddField(
            model_name='meetingrecord',
            name='tracked',
            field=models.BooleanField(default=False, editable=False, help_text='Scheduled on the site: attendance comes from replies and sign-ins, never typed.', verbose_name='counted from sign-ins'),
        ),
        migrations.AlterField(
            model_name='meetingrecord',
            name='kind',
            field=models.CharField(choices=[('general_meeting', 'Branch general meeting'), ('committee', 'Branch committee meeting'), ('group', 'Party group meeting'), ('lecture', 'Party lecture'), ('theme_day', 'Theme Party day'), ('life_meeting', 'Organisational life meeting')], max_length=20, verbose_name='type'),
        ),
        migrations.AddConstraint(
            model_name='meetingrecord',
            constraint=models.CheckConstraint(condition=models.Q(('present__lte', models.F('due')), ('absent__lte', models.F('due')), ('on_leave__lte', models.F('due'))), name='meeting_attendance_within_due'),
        ),
    ]
