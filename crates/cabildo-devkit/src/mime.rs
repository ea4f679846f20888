//! Just enough MIME to show captured mail: the subject (RFC 2047 encoded
//! words) and the text and HTML parts (base64 or quoted-printable).

/// A captured message, decoded for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedMail {
    /// Subject, decoded.
    pub subject: String,
    /// The From header, decoded (`Participa Toledo <no-reply@…>`).
    pub from: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
}

/// Decodes `raw` (headers, blank line, body).
pub fn parse(raw: &str) -> ParsedMail {
    let mut mail = ParsedMail::default();
    let (headers, body) = split(raw);
    mail.from = header(&headers, "from")
        .map(|s| decode_words(&s))
        .unwrap_or_default();
    mail.subject = header(&headers, "subject")
        .map(|s| decode_words(&s))
        .unwrap_or_default();
    collect_parts(&headers, body, &mut mail);
    mail
}

fn split(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|part| {
        let (key, value) = part.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn collect_parts(headers: &[(String, String)], body: &str, mail: &mut ParsedMail) {
    let content_type = header(headers, "content-type").unwrap_or_else(|| "text/plain".into());
    let kind = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if kind.starts_with("multipart/") {
        let Some(boundary) = parameter(&content_type, "boundary") else {
            return;
        };
        let delimiter = format!("--{boundary}");
        for part in body.split(delimiter.as_str()).skip(1) {
            if part.starts_with("--") {
                break;
            }
            let part = part.trim_start_matches(['\r', '\n']);
            let (part_headers, part_body) = split(part);
            collect_parts(&part_headers, part_body, mail);
        }
        return;
    }
    let encoding = header(headers, "content-transfer-encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let decoded = match encoding.as_str() {
        "base64" => String::from_utf8_lossy(&base64(body)).into_owned(),
        "quoted-printable" => String::from_utf8_lossy(&quoted_printable(body)).into_owned(),
        _ => body.to_owned(),
    };
    let decoded = decoded.trim_end_matches(['\r', '\n']).replace("\r\n", "\n");
    match kind.as_str() {
        "text/plain" if mail.text.is_empty() => mail.text = decoded,
        "text/html" if mail.html.is_empty() => mail.html = decoded,
        _ => {}
    }
}

fn base64(input: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for sextet in input.bytes().filter_map(value) {
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    out
}

fn quoted_printable(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            // Soft line break.
            if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        // White space between two encoded words is not shown.
        if !before.trim().is_empty() || out.is_empty() {
            out.push_str(before);
        }
        let word = &rest[start + 2..];
        let mut pieces = word.splitn(3, '?');
        let (Some(_charset), Some(encoding), Some(tail)) =
            (pieces.next(), pieces.next(), pieces.next())
        else {
            out.push_str(&rest[start..]);
            return out;
        };
        let Some(end) = tail.find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let text = &tail[..end];
        let bytes = if encoding.eq_ignore_ascii_case("b") {
            base64(text)
        } else {
            quoted_printable(&text.replace('_', " "))
        };
        out.push_str(&String::from_utf8_lossy(&bytes));
        rest = &tail[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_subjects_and_parts() {
        let raw = "Subject: =?utf-8?b?UHJvcHVlc3RhIGFjZXB0YWRh?= =?utf-8?q?_y_m=C3=A1s?=\r\n\
            Content-Type: multipart/alternative;\r\n boundary=\"XYZ\"\r\n\r\n\
            --XYZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
            Hola, =C3=A1rbol =\r\nseguido\r\n\
            --XYZ\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            PHA+SG9sYTwvcD4=\r\n--XYZ--\r\n";
        let mail = parse(raw);
        assert_eq!(mail.subject, "Propuesta aceptada y más");
        assert_eq!(mail.text, "Hola, árbol seguido");
        assert_eq!(mail.html, "<p>Hola</p>");
    }
}
