//! The engine's one error: a rule refused the action ([`Refusal`]), some
//! fields are not acceptable ([`FieldError`]), or the store failed. Every
//! refusal and field problem has a stable code that pages translate and
//! the API returns; their full lists drive the translation tests.

use cabildo_tenancy::TenancyError;
use cabildo_tenancy::entitlements::Need;

/// What can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule says no.
    #[error("refused: {}", .0.code())]
    Refused(Refusal),
    /// The council's plan does not allow it (a feature it lacks, or a
    /// limit reached): `plan_required`, with what was needed so that the
    /// refusal can name a plan that allows it.
    #[error("plan_required: {}", .0.as_str())]
    Plan(Need),
    /// Some fields are not acceptable (all that could be checked at once).
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// A line of an uploaded file is wrong: the whole file is refused.
    #[error("line {} refused: {}", .0.line, .0.problem.code())]
    Line(LineError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] TenancyError),
}

/// The engine's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Refusals, field problems and lines compare by value; a store failure
/// equals nothing (not even itself), as a failure says nothing about rules.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Refused(a), Self::Refused(b)) => a == b,
            (Self::Plan(a), Self::Plan(b)) => a == b,
            (Self::Invalid(a), Self::Invalid(b)) => a == b,
            (Self::Line(a), Self::Line(b)) => a == b,
            _ => false,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<Need> for Error {
    fn from(need: Need) -> Self {
        Self::Plan(need)
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<LineError> for Error {
    fn from(error: LineError) -> Self {
        Self::Line(error)
    }
}

impl From<FieldError> for Error {
    fn from(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}

impl Error {
    /// One field refused.
    pub fn invalid(field: Field, problem: Problem) -> Self {
        Self::Invalid(vec![FieldError { field, problem }])
    }

    /// A refusal kept apart from a failure, for callers that show why a
    /// rule said no instead of failing: `Ok(Err(refusal))`.
    pub fn split<T>(result: Result<T>) -> Result<Result<T, Refusal>> {
        match result {
            Ok(value) => Ok(Ok(value)),
            Err(Self::Refused(refusal)) => Ok(Err(refusal)),
            Err(error) => Err(error),
        }
    }

    /// The refusal, if it is one.
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            Self::Refused(refusal) => Some(*refusal),
            Self::Plan(_) | Self::Invalid(_) | Self::Line(_) | Self::Store(_) => None,
        }
    }
}

/// One refused field: which, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// What is wrong with it.
    pub problem: Problem,
}

impl FieldError {
    /// `field` has `problem`.
    pub fn new(field: Field, problem: Problem) -> Self {
        Self { field, problem }
    }
}

/// A wrong line of an uploaded file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineError {
    /// The 1-based line (0 for the file as a whole).
    pub line: usize,
    /// What is wrong with it.
    pub problem: Problem,
}

/// Defines an enum of stable codes: each variant with its code and its
/// translation key, and the list of them all.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($(#[$doc:meta])* $variant:ident = $code:literal, $key:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$doc])* $variant,)+
        }

        impl $name {
            /// Every one of them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code (the API's `code`).
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The key of its explanation among the UI strings.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)+
                }
            }

            /// The one with `code`.
            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

/// Defines an enum of names: each variant with its name (in forms and
/// the API), and the list of them all.
macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($(#[$doc:meta])* $variant:ident = $text:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$doc])* $variant,)+
        }

        impl $name {
            /// Every one of them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// Its name in forms and the API.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }
    };
}

coded! {
    /// Why a rule refused an action.
    Refusal {
        /// No such item (or not visible here).
        NotFound = "not_found", "refusal-not-found";
        /// No phase enabling it is open now.
        PhaseClosed = "phase_closed", "refusal-phase-closed";
        /// Log in (with a confirmed address) first.
        NotRegistered = "not_registered", "refusal-not-registered";
        /// Only verified residents may.
        NotVerified = "not_verified", "refusal-not-verified";
        /// Only residents of the process's (or heading's) district may.
        WrongDistrict = "wrong_district", "refusal-wrong-district";
        /// Organisations may not support in this process.
        OrganisationsMayNot = "organisations_may_not", "refusal-organisations-may-not";
        /// Moderators blocked this account.
        Blocked = "blocked", "refusal-blocked";
        /// Only the author may.
        NotAuthor = "not_author", "refusal-not-author";
        /// The time to edit has passed.
        EditWindowOver = "edit_window_over", "refusal-edit-window-over";
        /// The debate is closed, or the proposal is no longer open.
        Closed = "closed", "refusal-closed";
        /// Replies may not nest deeper.
        TooDeep = "too_deep", "refusal-too-deep";
        /// People do not vote on their own comments.
        OwnComment = "own_comment", "refusal-own-comment";
        /// Only staff with the right role may.
        Forbidden = "forbidden", "refusal-forbidden";
        /// Another process has this address.
        SlugTaken = "slug_taken", "refusal-slug-taken";
        /// A process is published with its calendar: add a phase first.
        NoPhases = "no_phases", "refusal-no-phases";
        /// Participation has started: the rules change only with an
        /// override (a phase that has begun stays).
        RulesFrozen = "rules_frozen", "refusal-rules-frozen";
        /// The invitation is unknown, used or expired.
        InvitationInvalid = "invitation_invalid", "refusal-invitation-invalid";
        /// The invitation went to another address than the account's.
        OtherAddress = "other_address", "refusal-other-address";
        /// Too many personal access tokens already.
        TooManyTokens = "too_many_tokens", "refusal-too-many-tokens";
        /// No account has that address.
        NoSuchPerson = "no_such_person", "refusal-no-such-person";
        /// This person has voted in the consultation already.
        AlreadyVoted = "already_voted", "refusal-already-voted";
        /// This person is not in the consultation's electorate (frozen
        /// when voting opened).
        NotInElectorate = "not_in_electorate", "refusal-not-in-electorate";
        /// The receipt code is not that of this person's ballot.
        ReceiptInvalid = "receipt_invalid", "refusal-receipt-invalid";
        /// The consultation does not let people change their vote.
        RevotingOff = "revoting_off", "refusal-revoting-off";
        /// Voting has not ended yet (counting and closing wait for it).
        VotingNotOver = "voting_not_over", "refusal-voting-not-over";
        /// This person (or browser) has answered already, and the survey
        /// does not let answers change.
        AlreadyAnswered = "already_answered", "refusal-already-answered";
        /// The survey has answers, or is published: its questions stay.
        SurveyFixed = "survey_fixed", "refusal-survey-fixed";
        /// The meeting takes registrations by invitation only.
        NotInvited = "not_invited", "refusal-not-invited";
        /// The meeting takes no registrations (any more): it has begun, was
        /// cancelled, or needs none.
        RegistrationClosed = "registration_closed", "refusal-registration-closed";
        /// No registration for this meeting has this entry code.
        CodeUnknown = "code_unknown", "refusal-code-unknown";
        /// The meeting was cancelled.
        MeetingCancelled = "meeting_cancelled", "refusal-meeting-cancelled";
        /// The meeting has not begun yet (minutes come after).
        NotYetHeld = "not_yet_held", "refusal-not-yet-held";
        /// Voting has ended and the worker is counting the results: they
        /// are published when done.
        Counting = "counting", "refusal-counting";
    }
}

named! {
    /// A field of a form or an API body (its name in both).
    Field {
        /// Full name.
        Name = "name";
        /// Public nickname.
        Nickname = "nickname";
        /// Email address.
        Email = "email";
        /// Password.
        Password = "password";
        /// Preferred language.
        Language = "language";
        /// Acceptance of the terms of use and privacy policy.
        Terms = "accept_terms";
        /// How notifications are emailed.
        NotifyEmail = "notify_email";
        /// An address part of a process.
        Slug = "slug";
        /// A title.
        Title = "title";
        /// A one-paragraph summary.
        Summary = "summary";
        /// A text.
        Body = "body";
        /// A district.
        District = "district";
        /// A comment's alignment.
        Alignment = "alignment";
        /// A vote on a comment.
        Value = "value";
        /// Why something was reported.
        Reason = "reason";
        /// A message to a blocked person.
        Message = "message";
        /// An official answer.
        Answer = "answer";
        /// A status.
        Status = "status";
        /// Supports that qualify a proposal.
        Threshold = "threshold";
        /// Phase or budget dates.
        Dates = "dates";
        /// A currency.
        Currency = "currency";
        /// How a budget is voted.
        Style = "style";
        /// The rule that picks winners.
        Rule = "rule";
        /// How ties are broken.
        Tie = "tie";
        /// How a rule's leftover budget is spent.
        Completion = "completion";
        /// The least share of a budget a ballot spends.
        MinSpendPercent = "min_spend_percent";
        /// Supports per person.
        MaxSupports = "max_supports";
        /// A budget's headings.
        Headings = "headings";
        /// A project's estimated cost.
        EstimatedCost = "estimated_cost";
        /// A project's official cost.
        OfficialCost = "official_cost";
        /// A description.
        Description = "description";
        /// Where.
        Location = "location";
        /// A feasibility explanation.
        Explanation = "explanation";
        /// A feasibility verdict.
        Verdict = "verdict";
        /// Votes counted on paper.
        PaperVotes = "paper_votes";
        /// Execution progress.
        Progress = "progress";
        /// A budget project.
        Project = "project";
        /// A ballot's projects.
        Projects = "projects";
        /// A proposal.
        Proposal = "proposal";
        /// A ballot.
        Ballot = "ballot";
        /// A budget.
        Budget = "budget";
        /// A process.
        Process = "process";
        /// A phase.
        Phase = "phase";
        /// An organisation's registry number.
        RegistryNumber = "registry_number";
        /// Its contact person.
        ContactName = "contact_name";
        /// Their phone.
        ContactPhone = "contact_phone";
        /// A platform account's role.
        Role = "role";
        /// A council's name (signing up).
        CouncilName = "council_name";
        /// A municipality, by name or INE code.
        Municipality = "municipality";
        /// A number of residents.
        Population = "population";
        /// The article a council's name takes.
        Article = "article";
        /// A plan.
        Plan = "plan";
        /// A consultation's questions.
        Questions = "questions";
        /// A consultation ballot's choices.
        Choices = "choices";
        /// A polling station.
        Station = "station";
        /// A survey's answers.
        Answers = "answers";
        /// Who may answer a survey.
        Audience = "audience";
        /// A quick poll's options.
        Options = "options";
        /// An assembly's kind, or a member's.
        Kind = "kind";
        /// A member's term (first and last day).
        Term = "term";
        /// A meeting's agenda.
        Agenda = "agenda";
        /// An address (a meeting's, a proposal's).
        Place = "place";
        /// A meeting's link to join online.
        OnlineUrl = "online_url";
        /// A point on the map (latitude, longitude).
        Point = "point";
        /// A meeting's places.
        Capacity = "capacity";
        /// How people register for a meeting.
        Registration = "registration";
        /// A meeting entry code.
        Code = "code";
        /// A meeting's minutes.
        Minutes = "minutes";
        /// An uploaded file.
        File = "file";
        /// A meeting's agreements.
        Agreements = "agreements";
    }
}

coded! {
    /// What is wrong with a field.
    Problem {
        /// A name is needed.
        NameRequired = "name_required", "error-name-required";
        /// The name is too long.
        NameTooLong = "name_too_long", "error-name-too-long";
        /// The name has characters it may not.
        NameInvalid = "name_invalid", "error-name-invalid";
        /// A nickname is needed.
        NicknameRequired = "nickname_required", "error-nickname-required";
        /// Nicknames are 3 to 30 characters.
        NicknameLength = "nickname_length", "error-nickname-length";
        /// The nickname has characters it may not.
        NicknameInvalid = "nickname_invalid", "error-nickname-invalid";
        /// The nickname mixes alphabets (Latin and Cyrillic …).
        NicknameScripts = "nickname_mixed_scripts", "error-nickname-scripts";
        /// Someone has this nickname, or one that looks the same.
        NicknameTaken = "nickname_taken", "error-nickname-taken";
        /// An address is needed.
        EmailRequired = "email_required", "error-email-required";
        /// Not an address.
        EmailInvalid = "email_invalid", "error-email-invalid";
        /// The password is too short.
        PasswordTooShort = "password_too_short", "error-password-too-short";
        /// The password is too long.
        PasswordTooLong = "password_too_long", "error-password-too-long";
        /// A common password.
        PasswordCommon = "password_common", "error-password-common";
        /// A password made of the person's own details.
        PasswordPersonal = "password_personal", "error-password-personal";
        /// Not one of the council's languages.
        LanguageInvalid = "language_invalid", "error-language-invalid";
        /// The terms must be accepted.
        TermsRequired = "terms_required", "error-terms-required";
        /// Not a way of emailing notifications.
        NotifyEmailInvalid = "notify_email_invalid", "error-notify-email-invalid";
        /// Needed.
        Required = "required", "organisation-error-required";
        /// Not acceptable.
        Invalid = "invalid", "organisation-error-invalid";
        /// Not an address part.
        SlugInvalid = "slug_invalid", "staff-process-error-slug-invalid";
        /// A text is too long.
        TextTooLong = "text_too_long", "staff-process-error-text-too-long";
        /// Not a threshold.
        ThresholdInvalid = "threshold_invalid", "staff-process-error-threshold-invalid";
        /// The phase has begun.
        PhaseStarted = "phase_started", "staff-process-error-phase-started";
        /// A reason is needed.
        ReasonRequired = "reason_required", "staff-manual-reason-required";
        /// Not a title.
        TitleInvalid = "title_invalid", "refusal-title-invalid";
        /// Not a summary.
        SummaryInvalid = "summary_invalid", "refusal-summary-invalid";
        /// Not a text.
        BodyInvalid = "body_invalid", "refusal-body-invalid";
        /// Not one of the council's districts.
        DistrictUnknown = "district_unknown", "refusal-district-unknown";
        /// A district a budget heading is for cannot be removed.
        DistrictInUse = "district_in_use", "refusal-district-in-use";
        /// For, against or neutral.
        AlignmentInvalid = "alignment_invalid", "refusal-alignment-invalid";
        /// Up, down or none.
        VoteInvalid = "vote_invalid", "refusal-vote-invalid";
        /// Not a reason.
        ReasonInvalid = "reason_invalid", "refusal-reason-invalid";
        /// Not a message.
        MessageInvalid = "message_invalid", "refusal-message-invalid";
        /// Not an answer.
        AnswerInvalid = "answer_invalid", "refusal-answer-invalid";
        /// Not a status.
        StatusInvalid = "status_invalid", "refusal-status-invalid";
        /// Not a currency code.
        CurrencyInvalid = "currency_invalid", "refusal-currency-invalid";
        /// Not a percentage.
        PercentInvalid = "percent_invalid", "refusal-percent-invalid";
        /// Not a number.
        NumberInvalid = "number_invalid", "refusal-number-invalid";
        /// The dates are not in order.
        DatesInvalid = "dates_invalid", "refusal-dates-invalid";
        /// A budget needs one to 200 headings.
        HeadingsInvalid = "headings_invalid", "refusal-headings-invalid";
        /// Not a heading name.
        HeadingNameInvalid = "heading_name_invalid", "refusal-heading-name-invalid";
        /// Not an amount.
        AmountInvalid = "amount_invalid", "refusal-amount-invalid";
        /// Not a number of projects.
        MaxProjectsInvalid = "max_projects_invalid", "refusal-max-projects-invalid";
        /// Two headings for the same district.
        HeadingTwice = "heading_twice", "refusal-heading-twice";
        /// The process has a budget already.
        BudgetExists = "budget_exists", "refusal-budget-exists";
        /// Voting has begun.
        VotingStarted = "voting_started", "refusal-voting-started";
        /// Not a description.
        DescriptionInvalid = "description_invalid", "refusal-description-invalid";
        /// Not a place.
        LocationInvalid = "location_invalid", "refusal-location-invalid";
        /// A reason for the verdict is needed.
        ExplanationRequired = "explanation_required", "refusal-explanation-required";
        /// Not an explanation.
        ExplanationInvalid = "explanation_invalid", "refusal-explanation-invalid";
        /// The project was not found feasible.
        NotFeasible = "not_feasible", "refusal-not-feasible";
        /// The project is not on the ballot.
        NotOnBallot = "not_on_ballot", "refusal-not-on-ballot";
        /// The project is in another heading.
        WrongHeading = "wrong_heading", "refusal-wrong-heading";
        /// The ballot costs more than the heading has.
        OverBudget = "over_budget", "refusal-over-budget";
        /// More projects than a ballot holds.
        TooManyProjects = "too_many_projects", "refusal-too-many-projects";
        /// Nothing chosen.
        EmptyBallot = "empty_ballot", "refusal-empty-ballot";
        /// The ballot spends less than it must.
        BelowMinSpend = "below_min_spend", "refusal-below-min-spend";
        /// The ballot is submitted and final.
        BallotFinal = "ballot_final", "refusal-ballot-final";
        /// The results cannot be computed.
        ResultsUnavailable = "results_unavailable", "refusal-results-unavailable";
        /// More supports than the budget allows.
        TooManySupports = "too_many_supports", "refusal-too-many-supports";
        /// Not one of the choices.
        ChoiceInvalid = "choice_invalid", "refusal-choice-invalid";
        /// The proposal has not qualified.
        NotQualified = "not_qualified", "refusal-not-qualified";
        /// The proposal is a project already.
        AlreadyImported = "already_imported", "refusal-already-imported";
        /// The project did not win.
        NotAWinner = "not_a_winner", "refusal-not-a-winner";
        /// A file over the size taken.
        FileTooLarge = "file_too_large", "staff-budget-file-file-too-large";
        /// A file with nothing in it.
        FileEmpty = "file_empty", "staff-budget-file-file-empty";
        /// The file is not UTF-8 text.
        FileNotText = "file_not_text", "staff-budget-file-not-utf8";
        /// A line that cannot be read.
        LineInvalid = "line_invalid", "staff-budget-file-line-invalid";
        /// No such project.
        ProjectUnknown = "project_unknown", "staff-budget-file-project-unknown";
        /// A project counted twice.
        ProjectTwice = "project_twice", "staff-budget-file-project-twice";
        /// No municipality of the INE list has this name or code.
        MunicipalityUnknown = "municipality_unknown", "signup-error-municipality-unknown";
        /// Several municipalities match: pick one.
        MunicipalityAmbiguous = "municipality_ambiguous", "signup-error-municipality-ambiguous";
        /// A site's address must be 3–40 letters, digits or hyphens.
        SiteAddressInvalid = "site_address_invalid", "signup-error-slug-invalid";
        /// Another council has (or is signing up with) this address.
        SiteAddressTaken = "site_address_taken", "signup-error-slug-taken";
        /// The platform keeps this address.
        SiteAddressReserved = "site_address_reserved", "signup-error-slug-reserved";
        /// A council's name must be 3–200 characters.
        CouncilNameInvalid = "council_name_invalid", "signup-error-council-name";
        /// This question must be answered.
        AnswerRequired = "answer_required", "error-answer-required";
        /// Fewer options ticked than the question asks for.
        TooFewChoices = "too_few_choices", "error-too-few-choices";
        /// More options ticked than the question allows.
        TooManyChoices = "too_many_choices", "error-too-many-choices";
        /// A ranking must place every item once.
        RankingIncomplete = "ranking_incomplete", "error-ranking-incomplete";
        /// Anonymous responses cannot be edited, nor given by anyone
        /// without an account.
        AnonymityConflict = "anonymity_conflict", "error-anonymity-conflict";
        /// A number of residents from 1 to 10 million.
        PopulationInvalid = "population_invalid", "signup-error-population";
        /// A meeting needs an address, a link to join, or both.
        PlaceRequired = "place_required", "error-place-required";
        /// Not an https:// address.
        UrlInvalid = "url_invalid", "error-url-invalid";
        /// Not a latitude and longitude on Earth.
        PointInvalid = "point_invalid", "error-point-invalid";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        for (all, name) in [
            (
                Refusal::ALL.iter().map(|r| r.code()).collect::<Vec<_>>(),
                "refusals",
            ),
            (Problem::ALL.iter().map(|p| p.code()).collect(), "problems"),
            (Field::ALL.iter().map(|f| f.name()).collect(), "fields"),
        ] {
            let mut sorted = all.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), all.len(), "{name}: a code twice");
        }
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::parse(refusal.code()), Some(*refusal));
        }
        assert_eq!(Problem::parse("over_budget"), Some(Problem::OverBudget));
        assert_eq!(Problem::parse("nope"), None);
    }
}
