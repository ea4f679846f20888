//! `cabildo mail test`.

use crate::config::{Global, MailCommand};
use anyhow::Context;
use cabildo_notify::{EmailRequest, MessageVars};
use cabildo_tenancy::Slug;
use std::process::ExitCode;
use std::time::Duration;

/// Runs one `mail` subcommand.
pub async fn run(global: &Global, command: MailCommand) -> anyhow::Result<ExitCode> {
    let MailCommand::Test {
        tenant,
        to,
        language,
    } = command;
    let slug = Slug::parse(&tenant)
        .map_err(|reason| anyhow::anyhow!("invalid slug {tenant:?}: {reason}"))?;
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let council = tenancy.get_tenant(&slug).await?;
    let spanish = language.as_deref() != Some("en");
    let vars = MessageVars {
        subject: if spanish {
            "Mensaje de prueba de Cabildo"
        } else {
            "Cabildo test message"
        }
        .to_owned(),
        heading: Some(
            if spanish {
                "El correo funciona"
            } else {
                "Mail works"
            }
            .to_owned(),
        ),
        body: if spanish {
            "Si lees esto, el ayuntamiento puede enviar correo a través de Cabildo."
        } else {
            "If you can read this, the council can send mail through Cabildo."
        }
        .to_owned(),
        action_url: Some("/".to_owned()),
        action_label: Some(
            if spanish {
                "Ir al sitio"
            } else {
                "Visit the site"
            }
            .to_owned(),
        ),
        preferences: false,
    };
    let request = EmailRequest {
        to,
        name: None,
        language,
        template: "message".into(),
        vars: serde_json::to_value(vars).context("encoding the message")?,
        unsubscribe_user: None,
    };
    let mut tx = tenancy.begin(&council).await?;
    tx.enqueue(&request.job());
    tx.commit().await?;
    tenancy.close().await;
    println!(
        "Queued a test message from {}; a worker will send it.",
        council.name
    );
    Ok(ExitCode::SUCCESS)
}
