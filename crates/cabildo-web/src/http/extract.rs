//! Extractors that carry each handler's preamble once: who must be asking
//! (a logged-in citizen, staff), forms checked against the visitor's CSRF
//! token and read into structs, JSON bodies, uploads, and ids from the
//! path.

use crate::http::council::{ApiCouncil, Council};
use crate::http::error::{ApiError, PageError, Unrendered};
use crate::http::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cabildo_engine::accounts::sessions::Session;
use cabildo_engine::ids::UserId;
use cabildo_engine::staff::{self, Actor, Permission, Role};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::Deref;
use std::str::FromStr;
use tokio::sync::OwnedSemaphorePermit;

/// Where a refused visitor comes back to after logging in: the page they
/// asked for (only for reads: a form cannot be sent again by a redirect).
fn return_path(parts: &Parts) -> Option<String> {
    parts
        .method
        .is_safe()
        .then(|| parts.uri.path_and_query().map(|p| p.as_str().to_owned()))
        .flatten()
}

/// A logged-in person on a council page; others are sent to log in.
#[derive(Clone)]
pub struct Citizen {
    /// The page's council.
    pub council: Council,
    /// Their session.
    pub session: Session,
}

impl Citizen {
    /// Their account.
    pub fn user(&self) -> UserId {
        self.session.user
    }

    /// Who they are in the audit log (a consultant acting through this
    /// council's account is named as such).
    pub fn actor(&self) -> Actor {
        self.session.actor()
    }
}

impl Deref for Citizen {
    type Target = Council;
    fn deref(&self) -> &Council {
        &self.council
    }
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let council = Council::from_request_parts(parts, state).await?;
        match council.visitor.session.clone() {
            Some(session) => Ok(Self { council, session }),
            None => Err(PageError::LogIn(return_path(parts))),
        }
    }
}

/// A member of the council's staff (any role) on a staff page; others
/// are sent to log in, or told the page is for staff.
#[derive(Clone)]
pub struct Staff {
    /// The logged-in person.
    pub citizen: Citizen,
    /// Their roles here (at least one).
    pub roles: Vec<Role>,
}

impl Staff {
    /// Nothing when their roles grant `permission`; else the page saying
    /// it is for other staff.
    pub fn require(&self, permission: Permission) -> Result<(), PageError> {
        if permission.granted_by(&self.roles) {
            Ok(())
        } else {
            Err(PageError::NotStaff)
        }
    }

    /// Whether their roles grant `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        permission.granted_by(&self.roles)
    }
}

impl Deref for Staff {
    type Target = Citizen;
    fn deref(&self) -> &Citizen {
        &self.citizen
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let citizen = Citizen::from_request_parts(parts, state).await?;
        let user = citizen.user();
        let roles = citizen
            .tx(async |tx| -> Result<_, PageError> { Ok(staff::roles_of(tx, user).await?) })
            .await?;
        if roles.is_empty() {
            return Err(PageError::NotStaff);
        }
        Ok(Self { citizen, roles })
    }
}

/// What a [`Granted`] extractor requires.
pub trait Needs: Send + Sync {
    /// The permission.
    const PERMISSION: Permission;
}

/// Markers of the permissions routes require before reading their body.
pub mod needs {
    use super::{Needs, Permission};

    macro_rules! needs {
        ($($name:ident),+) => {$(
            #[doc = concat!("Requires [`Permission::", stringify!($name), "`].")]
            pub struct $name;

            impl Needs for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )+};
    }

    needs!(ManageCensus, ManageProcesses, ManageBudgets, ManageSettings);
}

/// A member of staff whose roles grant `P`'s permission, checked from the
/// request's head: a large body that comes after it (a census, a photo) is
/// never read for anyone else.
pub struct Granted<P>(pub Staff, PhantomData<P>);

impl<P> Deref for Granted<P> {
    type Target = Staff;
    fn deref(&self) -> &Staff {
        &self.0
    }
}

impl<P: Needs> FromRequestParts<AppState> for Granted<P> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let staff = Staff::from_request_parts(parts, state).await?;
        staff.require(P::PERMISSION)?;
        Ok(Self(staff, PhantomData))
    }
}

/// One of the few bodies of many megabytes (a census) a node reads at
/// once; others are asked to try again shortly rather than fill memory.
pub struct LargeUploadSlot(
    #[expect(dead_code, reason = "held until the response")] OwnedSemaphorePermit,
);

impl FromRequestParts<AppState> for LargeUploadSlot {
    type Rejection = PageError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        match state.large_uploads.clone().try_acquire_owned() {
            Ok(permit) => Ok(Self(permit)),
            Err(_) => Err(PageError::RateLimited(10)),
        }
    }
}

/// A logged-in person calling the API (session cookie or personal token);
/// a change made with the cookie must carry the session's CSRF token in
/// `X-CSRF-Token`.
#[derive(Clone)]
pub struct ApiCitizen {
    /// The call's council.
    pub council: ApiCouncil,
    /// Their session (or token).
    pub session: Session,
}

impl ApiCitizen {
    /// Their account.
    pub fn user(&self) -> UserId {
        self.session.user
    }

    /// Who they are in the audit log (a consultant acting through this
    /// council's account is named as such).
    pub fn actor(&self) -> Actor {
        self.session.actor()
    }
}

impl Deref for ApiCitizen {
    type Target = ApiCouncil;
    fn deref(&self) -> &ApiCouncil {
        &self.council
    }
}

impl FromRequestParts<AppState> for ApiCitizen {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let council = ApiCouncil::from_request_parts(parts, state).await?;
        let Some(session) = council.visitor.session.clone() else {
            return Err(ApiError::Unauthenticated);
        };
        if !parts.method.is_safe() {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !council.visitor.csrf_matches(sent) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(Self { council, session })
    }
}

/// A form posted from a council page, carrying the visitor's CSRF token
/// (`csrf_token`), read into `T` (fields it does not name are ignored).
pub struct CsrfForm<T>(pub T);

/// A form with nothing but its CSRF token.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoFields {}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = request.into_parts();
        let council = Council::from_request_parts(&mut parts, state).await?;
        let (value, sent) = read_form(Request::from_parts(parts, body), state).await?;
        if !council.visitor.csrf_matches(&sent) {
            return Err(PageError::Csrf);
        }
        Ok(Self(value))
    }
}

/// A urlencoded form read into `T`, with the CSRF token it carries ("" when
/// none), for the caller to check.
pub async fn read_form<T: DeserializeOwned>(
    request: Request,
    state: &AppState,
) -> Result<(T, String), PageError> {
    let urlencoded = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => PageError::TooLarge,
            _ => PageError::Form,
        })?;
    if !urlencoded {
        return Err(PageError::Form);
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::Form)?;
    let sent = pairs
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .map(|(_, value)| value)
        .unwrap_or_default();
    let value = serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::Form)?;
    Ok((value, sent))
}

/// A multipart form posted from a council page (pictures, files),
/// carrying the visitor's CSRF token: its parts (at most 64), files and
/// text fields alike.
pub struct Upload {
    parts: HashMap<String, Bytes>,
}

impl Upload {
    /// The text field `name`, cut to 100,000 characters ("" when not sent
    /// or not text).
    pub fn text(&self, name: &str) -> String {
        self.parts
            .get(name)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .map(|text| text.chars().take(100_000).collect())
            .unwrap_or_default()
    }

    /// The text fields read into `T`.
    pub fn form<T: DeserializeOwned>(&self) -> Result<T, PageError> {
        let object = self
            .parts
            .keys()
            .map(|name| (name.clone(), serde_json::Value::String(self.text(name))))
            .collect();
        serde_json::from_value(serde_json::Value::Object(object)).map_err(|_| PageError::Form)
    }

    /// The file sent as `name` (empty when none was chosen).
    pub fn file(&self, name: &str) -> Bytes {
        self.parts.get(name).cloned().unwrap_or_default()
    }
}

impl FromRequest<AppState> for Upload {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = request.into_parts();
        let council = Council::from_request_parts(&mut parts, state).await?;
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::Form)?;
        let mut parts = HashMap::new();
        while let Some(field) = multipart.next_field().await.map_err(|_| PageError::Form)? {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            let bytes = field.bytes().await.map_err(|_| PageError::TooLarge)?;
            if parts.len() < 64 {
                parts.insert(name, bytes);
            }
        }
        let upload = Self { parts };
        if !council.visitor.csrf_matches(&upload.text("csrf_token")) {
            return Err(PageError::Csrf);
        }
        Ok(upload)
    }
}

/// A JSON body read into `T`, or the API's `malformed_body` answer.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(malformed(&rejection)),
        }
    }
}

fn malformed(rejection: &JsonRejection) -> ApiError {
    ApiError::Malformed(rejection.status(), rejection.body_text())
}

/// An id (or slug) from the path; anything that does not parse is no such
/// item, answered as a page or as JSON by the request.
pub struct Id<T>(pub T);

/// The answer to a path that names nothing.
pub struct NoSuchItem;

impl IntoResponse for NoSuchItem {
    fn into_response(self) -> Response {
        let mut response = StatusCode::NOT_FOUND.into_response();
        response.extensions_mut().insert(Unrendered::NotFound);
        response
    }
}

impl<T: FromStr + Send, S: Send + Sync> FromRequestParts<S> for Id<T> {
    type Rejection = NoSuchItem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, NoSuchItem> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| NoSuchItem)?;
        raw.trim().parse().map(Self).map_err(|_| NoSuchItem)
    }
}
