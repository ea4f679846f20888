//! The participation domain. Everything here runs inside a council's
//! [`cabildo_tenancy::TenantTx`]; nothing sends mail directly: mails are
//! jobs enqueued in the same transaction as the change that causes them.

pub mod accounts;
pub mod activity;
pub mod assemblies;
pub mod audit;
pub mod budgets;
pub mod census;
mod codes;
pub mod comments;
pub mod consultations;
pub mod content;
pub mod dashboard;
pub mod debates;
pub mod designs;
pub mod error;
pub mod follows;
pub mod ids;
pub mod ine;
pub mod legal;
pub mod meetings;
pub mod moderation;
pub mod opendata;
pub mod organisations;
pub mod places;
pub mod platform;
pub mod polls;
pub mod processes;
pub mod proposals;
pub mod search;
pub mod seed;
pub mod settings;
pub mod signups;
pub mod staff;
mod stored;
pub mod surveys;
pub mod translations;

pub use error::{Error, Field, FieldError, LineError, Problem, Refusal, Result};
pub use ids::{
    AssemblyId, BudgetId, CommentId, ConsultationId, DebateId, DocumentId, HeadingId, MeetingId,
    MemberId, OptionId, PollId, ProcessId, ProjectId, ProposalId, QuestionId, SurveyId, UserId,
};
