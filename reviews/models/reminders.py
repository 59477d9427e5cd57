from django.db import models


class ReminderLog(models.Model):
    """Each reminder is sent once: the key names what and when (e.g. "award:12:ends-1m").

    Shared by review reminders ("assignment:<id>:due-3", reviews/tasks.py) and award
    reminders ("award:<id>:...", awards/services.py), so it stays in reviews, the lower app:
    awards may import it, reviews may not import awards (issue 12).
    """

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
