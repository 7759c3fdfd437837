//! Finding URLs in invitation text and taking off the wrappers mail systems put around
//! them: Outlook SafeLinks (`*.safelinks.protection.outlook.com/?url=...`), Google's
//! redirect (`www.google.com/url?q=...`) and Proofpoint URL Defense (v2 and v3), so that
//! the provider table sees the real join link.

use std::borrow::Cow;
use std::sync::LazyLock;

use percent_encoding::percent_decode_str;
use regex::Regex;

/// A URL as it appears in text: scheme, then anything up to whitespace or a delimiter
/// that mail clients put around links.
/// Join links are also printed without their scheme ("meet.google.com/abc-defg-hij",
/// "zoom.us/j/85512345678"); those of the services that do so are read too.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(?-u:\b)(?:https?://|zoommtg://|discord://|skype:)[^\s<>"'\]\[{}|\\^`]+"#,
        r#"|(?:^|[\s(<:"'])((?:meet\.google\.com|(?:[a-z0-9-]+\.)?zoom\.us|(?:[a-z0-9-]+\.)?zoomgov\.com|teams\.microsoft\.com|[a-z0-9-]+\.webex\.com|(?:www\.)?gotomeet\.me|meet\.goto\.com|global\.gotomeeting\.com|chime\.aws|(?:www\.)?bluejeans\.com|meet\.jit\.si)/[^\s<>"'\]\[{}|\\^`]+)"#,
    ))
    .expect("constant regex")
});

/// Every URL of `text` with its byte offset, unwrapped and trimmed (a link printed
/// without its scheme gets `https://`).
pub(crate) fn find_urls(text: &str) -> Vec<(usize, String)> {
    URL.captures_iter(text)
        .filter_map(|c| match c.get(1) {
            Some(bare) => Some((bare.start(), format!("https://{}", trim_url(bare.as_str())))),
            None => c
                .get(0)
                .map(|m| (m.start(), unwrap(trim_url(m.as_str())).into_owned())),
        })
        .filter(|(_, u)| u.len() > 8)
        .collect()
}

/// Drops trailing punctuation that belongs to the sentence, not to the link.
pub(crate) fn trim_url(url: &str) -> &str {
    let mut out = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '>']);
    // A closing parenthesis belongs to the URL only when the URL opened one.
    while out.ends_with(')') && out.matches('(').count() < out.matches(')').count() {
        out = out[..out.len() - 1].trim_end_matches(['.', ',', ';', ':']);
    }
    out
}

/// Removes redirect wrappers (repeatedly: a SafeLink around a Google redirect happens).
pub(crate) fn unwrap(url: &str) -> Cow<'_, str> {
    let mut current: Cow<'_, str> = Cow::Borrowed(url);
    for _ in 0..4 {
        match unwrap_once(&current) {
            Some(inner) => current = Cow::Owned(inner),
            None => break,
        }
    }
    current
}

fn unwrap_once(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let host = host_of(&lower)?;
    let param = if host.ends_with("safelinks.protection.outlook.com") {
        "url"
    } else if (host == "www.google.com" || host == "google.com") && lower.contains("/url?") {
        "q"
    } else if host == "urldefense.proofpoint.com" {
        return proofpoint_v2(url);
    } else if host == "urldefense.com" {
        return proofpoint_v3(url);
    } else {
        return None;
    };
    let query = url.split_once('?')?.1;
    let raw = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(param))?
        .1;
    let spaced = raw.replace('+', " ");
    let decoded = percent_decode_str(&spaced).decode_utf8().ok()?;
    let decoded = decoded.trim();
    (decoded.starts_with("http://") || decoded.starts_with("https://")).then(|| decoded.to_string())
}

/// `https://urldefense.proofpoint.com/v2/url?u=https-3A__zoom.us_j_123&d=...`
fn proofpoint_v2(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let raw = query.split('&').find_map(|kv| kv.strip_prefix("u="))?;
    let restored = raw.replace('_', "/").replace('-', "%");
    let decoded = percent_decode_str(&restored).decode_utf8().ok()?;
    decoded.starts_with("http").then(|| decoded.into_owned())
}

/// `https://urldefense.com/v3/__https://zoom.us/j/123__;!!abc$`
fn proofpoint_v3(url: &str) -> Option<String> {
    let inner = url.split_once("/v3/__")?.1;
    let end = inner.find("__;").unwrap_or(inner.len());
    let inner = &inner[..end];
    inner.starts_with("http").then(|| inner.to_string())
}

/// The lowercase host of an absolute URL.
pub(crate) fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    Some(host.split(':').next().unwrap_or(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_outlook_safelinks() {
        let wrapped = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fus02web.zoom.us%2Fj%2F85512345678%3Fpwd%3DaBc.1&data=05%7C01%7C&sdata=x%3D&reserved=0";
        assert_eq!(
            unwrap(wrapped),
            "https://us02web.zoom.us/j/85512345678?pwd=aBc.1"
        );
    }

    #[test]
    fn unwraps_google_redirect() {
        let wrapped = "https://www.google.com/url?q=https://meet.google.com/abc-defg-hij&sa=D&source=calendar&usd=2";
        assert_eq!(unwrap(wrapped), "https://meet.google.com/abc-defg-hij");
    }

    #[test]
    fn unwraps_a_safelink_around_a_google_redirect() {
        let wrapped = "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.google.com%2Furl%3Fq%3Dhttps%253A%252F%252Fchime.aws%252F1234567890%26sa%3DD&data=1";
        assert_eq!(unwrap(wrapped), "https://chime.aws/1234567890");
    }

    #[test]
    fn unwraps_proofpoint() {
        assert_eq!(
            unwrap("https://urldefense.proofpoint.com/v2/url?u=https-3A__zoom.us_j_85512345678&d=DwMF&c=x"),
            "https://zoom.us/j/85512345678"
        );
        assert_eq!(
            unwrap("https://urldefense.com/v3/__https://zoom.us/j/85512345678__;!!ABC$"),
            "https://zoom.us/j/85512345678"
        );
    }

    #[test]
    fn leaves_a_plain_link_alone_and_trims_sentence_punctuation() {
        let found = find_urls("Join: https://zoom.us/j/85512345678. (see https://example.com/a_(b)) or <https://chime.aws/1234567890>");
        let urls: Vec<&str> = found.iter().map(|(_, u)| u.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://zoom.us/j/85512345678",
                "https://example.com/a_(b)",
                "https://chime.aws/1234567890"
            ]
        );
    }

    #[test]
    fn reads_join_links_printed_without_a_scheme() {
        let found = find_urls("Join with Google Meet\nmeet.google.com/hzt-qmwe-pfd\nor (zoom.us/j/85512345678) but not example.com/meet.google.com/x");
        let urls: Vec<&str> = found.iter().map(|(_, u)| u.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://meet.google.com/hzt-qmwe-pfd",
                "https://zoom.us/j/85512345678"
            ]
        );
    }

    #[test]
    fn a_safelink_to_a_non_http_target_is_left_wrapped() {
        let wrapped =
            "https://nam12.safelinks.protection.outlook.com/?url=javascript%3Aalert(1)&data=1";
        assert_eq!(unwrap(wrapped), wrapped);
    }
}
