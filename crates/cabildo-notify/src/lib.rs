//! Reaching people: the job worker, email over SMTP, templates, in-app
//! notifications, digests and newsletters. Jobs are enqueued elsewhere
//! (`cabildo_tenancy::NewJob`, in the transaction that causes them) and run
//! here.

pub mod email;
pub mod mail;
pub mod markdown;
pub mod newsletters;
pub mod notifications;
pub mod queue;
pub mod unsubscribe;
pub mod worker;

pub use email::{EmailHandler, EmailRequest, MessageVars, SiteUrl};
pub use mail::{MailConfig, MailConfigError, Mailer};
pub use notifications::{DigestHandler, NewNotification, Notification};
pub use queue::{Job, JobSummary, Queue};
pub use worker::{Handler, Handlers, JobError, JobFuture, Worker, WorkerConfig};
