//! Typed ids: a proposal's id cannot be passed where a heading's is
//! expected. Each is a UUID underneath, stored and sent as one (sqlx and
//! serde see through it), parsed from text (`FromStr`, for paths) and made
//! from a bare UUID where one arrives from outside (`From<Uuid>`).

use uuid::Uuid;

/// Defines id newtypes over [`Uuid`].
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The UUID underneath.
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    )+};
}

ids! {
    /// A person's account on a council.
    UserId;
    /// A participation process.
    ProcessId;
    /// A proposal.
    ProposalId;
    /// A debate.
    DebateId;
    /// A comment.
    CommentId;
    /// A participatory budget.
    BudgetId;
    /// A heading (partida) of a budget.
    HeadingId;
    /// A budget project.
    ProjectId;
    /// A binding consultation.
    ConsultationId;
    /// A question of a consultation.
    QuestionId;
    /// An option of a consultation's question.
    OptionId;
    /// A survey.
    SurveyId;
    /// A quick poll.
    PollId;
    /// An assembly (consejo).
    AssemblyId;
    /// A member of an assembly (one term of one person or organisation).
    MemberId;
    /// A meeting.
    MeetingId;
    /// A document of an assembly.
    DocumentId;
}
