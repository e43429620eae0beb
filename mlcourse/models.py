"""Cross-learner data of the peer exchange: who takes part, what they wrote, whom they were paired with.

Invariants are enforced by the database, not only by code (several LMS processes share one database):
one participant and one contribution per learner per activity, at most one current exchange per
participant, one review per (exchange, reviewer, reviewee), one rating per review.
"""
from django.db import models
from django.db.models import Q


class Activity(models.Model):
    """One placement of a peer exchange block or a co-design board in a course.

    Its row doubles as the matching lock: every transaction that forms or breaks exchanges first writes
    `match_clock`, which serializes matching per activity on every database (SQLite included, which ignores
    SELECT ... FOR UPDATE).

    .. no_pii:
    """

    course_key = models.CharField(max_length=255, db_index=True)
    usage_key = models.CharField(max_length=255)
    match_clock = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course_key", "usage_key"], name="mlc_activity_unique")]
        verbose_name_plural = "activities"

    def __str__(self):
        return f"{self.course_key} {self.usage_key}"


class OrganisationType(models.TextChoices):
    """Where a participant works; labels are translated in the block."""

    NATIONAL_GOVERNMENT = "national_government", "National government"
    SUBNATIONAL_GOVERNMENT = "subnational_government", "Sub-national government"
    PARLIAMENT = "parliament", "Parliament"
    CIVIL_SOCIETY = "civil_society", "Civil society"
    RESEARCH = "research", "Research or academia"
    INTERNATIONAL = "international", "International organisation"
    OTHER = "other", "Other"


class Participant(models.Model):
    """A learner taking part in one activity, with the context that drives matching.

    .. pii: `learner_id` is the platform's course-scoped anonymous id; `display_name` is the name partners see
       (unless the activity is anonymous); country, organisation type, languages and time zone describe the
       learner. All are removed or anonymised on user retirement.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    learner_id = models.CharField(max_length=255)
    display_name = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True)
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices, blank=True)
    languages = models.JSONField(default=list, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    utc_offset_minutes = models.SmallIntegerField(null=True, blank=True)
    # Set while the learner is in the waiting pool; null when paired or not yet (or no longer) looking.
    waiting_since = models.DateTimeField(null=True, blank=True)
    # A learner whose partner vanished is matched again before anyone else.
    first_in_line = models.BooleanField(default=False)
    # A silent partner removed from an exchange re-enters the pool when they come back.
    returns_to_pool = models.BooleanField(default=False)
    # Deadlines extended by staff for this learner only (null: the activity's own deadline applies).
    submission_due = models.DateTimeField(null=True, blank=True)
    review_due = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "learner_id"], name="mlc_participant_unique"),
        ]
        indexes = [
            models.Index(fields=["activity", "waiting_since"], name="mlc_participant_pool"),
            models.Index(fields=["learner_id"], name="mlc_participant_learner"),
        ]

    def __str__(self):
        return f"{self.learner_id} ({self.country or '?'})"


class Contribution(models.Model):
    """A participant's answer to the authored prompt; editable until they are paired.

    .. pii: `text` is free text written by the learner.
    """

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="contribution")
    text = models.TextField()
    word_count = models.PositiveIntegerField()
    submitted = models.DateTimeField()
    modified = models.DateTimeField(auto_now=True)
    # Hidden by staff for breaking the rules: the reason is shown to the author, the text to nobody else.
    hidden_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return f"contribution of {self.participant_id}"


class Exchange(models.Model):
    """A group of two (or three) participants from different countries who review each other.

    .. no_pii:
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="exchanges")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # Why it was formed: a list of pairing.Reason values (cross_country, relaxed_after_window, triad, ...).
    reasons = models.JSONField(default=list)
    created = models.DateTimeField()
    closed = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["activity", "status", "created"], name="mlc_exchange_status")]

    def __str__(self):
        return f"exchange {self.pk} ({','.join(self.reasons)})"


class Membership(models.Model):
    """A participant's place in an exchange.

    `current` is True for the participant's present exchange and NULL otherwise: the unique constraint on
    (participant, current) then allows any number of past memberships but only one current one, on every
    database (NULLs never collide in a unique index; MySQL has no partial indexes).

    .. no_pii:
    """

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="memberships")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="memberships")
    current = models.BooleanField(null=True, default=True)
    joined = models.DateTimeField()
    left = models.DateTimeField(null=True, blank=True)
    # Why the member left: "vanished" (removed as a silent partner) or "requested_new_partner".
    left_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "current"], name="mlc_one_current_exchange"),
            models.UniqueConstraint(fields=["exchange", "participant"], name="mlc_membership_unique"),
            models.CheckConstraint(condition=Q(current=True) | Q(current__isnull=True), name="mlc_current_true_or_null"),
        ]

    def __str__(self):
        return f"{self.participant_id} in {self.exchange_id}"


class Review(models.Model):
    """Feedback from one member of an exchange to another, against the rubric as it was when answered.

    .. pii: `answers`, `learned` and `suggestion` are free text written by the reviewer about the reviewee's work.
    """

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reviews_given")
    reviewee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reviews_received")
    # The rubric questions this review answered (id, label, type, required): later edits of the rubric
    # never change what a stored review means.
    questions = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    learned = models.TextField()
    suggestion = models.TextField(blank=True)
    submitted = models.DateTimeField()
    # Hidden by staff for breaking the rules: the reason is shown to the author, the text to nobody else.
    hidden_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exchange", "reviewer", "reviewee"], name="mlc_review_unique"),
            models.CheckConstraint(condition=~Q(reviewer=models.F("reviewee")), name="mlc_review_not_self"),
        ]

    def __str__(self):
        return f"review {self.reviewer_id} -> {self.reviewee_id}"


class Rating(models.Model):
    """How helpful a received review was, with an optional thank-you note.

    .. pii: `note` is free text written by the reviewee to the reviewer.
    """

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="rating")
    helpfulness = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    submitted = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(helpfulness__gte=1, helpfulness__lte=5), name="mlc_rating_1_5"),
        ]

    def __str__(self):
        return f"rating {self.helpfulness} of review {self.review_id}"


class Reflection(models.Model):
    """What a participant will take from their partners' contexts into their own work; ends their exchange.

    .. pii: `text` is free text written by the learner.
    """

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="reflection")
    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="reflections")
    text = models.TextField()
    submitted = models.DateTimeField()

    def __str__(self):
        return f"reflection of {self.participant_id}"


class StaffAction(models.Model):
    """Audit log of what course staff did to an activity: who, when, what.

    .. pii: `actor_id` identifies the staff member; `payload` may hold learner ids and free-text reasons.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="staff_actions")
    actor_id = models.CharField(max_length=255)
    action = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["activity", "created"], name="mlc_staffaction_time")]

    def __str__(self):
        return f"{self.action} by {self.actor_id}"


class EvidenceResponse(models.Model):
    """A learner's self-assessment of how they use evidence in policy work, at one moment of the course.

    Two placements of the evidence check share an authored `key`; one is taken "before" the course and one
    "after". The unique constraint allows one response per learner per moment: answers are final once sent.

    .. pii: `learner_id` is the platform's course-scoped anonymous id; `answers` are the learner's ratings of
       their own practice (statement id -> 1..5); `country` is copied from their peer-exchange context. All are
       removed or anonymised on user retirement.
    """

    class Moment(models.TextChoices):
        BEFORE = "before", "Before the course"
        AFTER = "after", "After the course"

    course_key = models.CharField(max_length=255)
    key = models.CharField(max_length=64)
    moment = models.CharField(max_length=8, choices=Moment.choices)
    learner_id = models.CharField(max_length=255)
    answers = models.JSONField(default=dict)
    country = models.CharField(max_length=2, blank=True)
    submitted = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course_key", "key", "moment", "learner_id"],
                                    name="mlc_evidence_unique"),
            models.CheckConstraint(condition=Q(moment__in=["before", "after"]), name="mlc_evidence_moment"),
        ]
        indexes = [models.Index(fields=["course_key", "key", "learner_id"], name="mlc_evidence_cohort")]

    def __str__(self):
        return f"{self.learner_id} {self.key} {self.moment}"


class BoardVoter(models.Model):
    """A learner taking part in one co-design board (the board is an `Activity` row, like a peer exchange).

    The row is the learner's write lock on the board: every vote, withdrawal or proposal first writes `clock`,
    so one learner's concurrent requests are serialized and the vote limit cannot be overrun, while different
    learners vote in parallel. Country and organisation type are given here when the learner has no
    peer-exchange context in the course.

    .. pii: `learner_id` is the platform's course-scoped anonymous id; country and organisation type describe the
       learner. Removed or unlinked on user retirement.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="board_voters")
    learner_id = models.CharField(max_length=255)
    country = models.CharField(max_length=2, blank=True)
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices, blank=True)
    clock = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "learner_id"], name="mlc_boardvoter_unique")]

    def __str__(self):
        return f"{self.learner_id} on {self.activity_id}"


class BoardItem(models.Model):
    """A proposal on a co-design board: a policy challenge, a case or a topic a participant wants covered.

    Votes are `BoardVote` rows and are always counted from them. Staff may adopt the item into the course (the
    note is shown to everyone), hide it (the reason is shown to its author) or merge it into another item
    (`merged_into`; its votes move there, without double counting).

    .. pii: `author` is the proposing learner; title and description are their words; country and organisation
       type are copied from their context. The text is erased on user retirement, the numbers stay.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="board_items")
    author = models.ForeignKey(BoardVoter, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    country = models.CharField(max_length=2, blank=True)
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices, blank=True)
    created = models.DateTimeField()
    adopted = models.BooleanField(default=False)
    adopted_note = models.TextField(max_length=1000, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(max_length=1000, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_items")

    class Meta:
        indexes = [models.Index(fields=["activity", "created"], name="mlc_boarditem_time")]

    def __str__(self):
        return self.title


class BoardVote(models.Model):
    """One learner's vote for one item; the unique constraint makes a second vote impossible, even at once.

    .. pii: links a learner (through `voter`) to an item. Kept on user retirement, through the voter row whose
       learner id is replaced, so that others' counts stand.
    """

    item = models.ForeignKey(BoardItem, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(BoardVoter, on_delete=models.CASCADE, related_name="votes")
    created = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "voter"], name="mlc_boardvote_unique")]

    def __str__(self):
        return f"{self.voter_id} -> {self.item_id}"
