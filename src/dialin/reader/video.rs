//! Step 4 of the reader: SIP and H.323 addresses in video-system sections.

use super::*;

/// SIP, H.323 and Teams' video conference ID, from video-system sections.
pub(super) fn video_addresses(
    block: &Block<'_>,
    meeting_id: Option<&str>,
) -> (Option<String>, Option<String>, Option<String>) {
    let mut sip = None;
    let mut h323 = None;
    let mut vtc = None;
    let indices: Vec<usize> = block.indices().collect();
    for (k, &i) in indices.iter().enumerate() {
        let line = block.line(i);
        if vtc.is_none() {
            vtc = VTC_ID
                .captures(line)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().chars().filter(char::is_ascii_digit).collect());
        }
        if sip.is_none() && SIP_SECTION.is_match(line) {
            for &j in indices.iter().skip(k).take(5) {
                let l = block.line(j);
                if j != i && SIGNATURE_LABEL.is_match(l) {
                    break;
                }
                let found = SIP_ADDRESS
                    .captures_iter(l)
                    .filter_map(|c| c.get(1))
                    .map(|m| m.as_str().to_string())
                    .find(|a| !a.contains("mailto") && !personal_mail_domain(a));
                if let Some(a) = found {
                    sip = Some(a);
                    break;
                }
            }
        }
        if h323.is_none() && H323_SECTION.is_match(line) {
            h323 = indices
                .iter()
                .skip(k)
                .take(5)
                .find_map(|&j| IPV4.captures(block.line(j)).and_then(|c| c.get(1)))
                .map(|m| m.as_str().to_string());
        }
    }
    // Zoom prints the SIP address with the meeting ID; keep it only when it matches.
    if let (Some(s), Some(id)) = (&sip, meeting_id) {
        let user = s.split('@').next().unwrap_or("");
        let user_digits: String = user.chars().take_while(char::is_ascii_digit).collect();
        if user_digits.len() >= 9 && user_digits != id {
            sip = None;
        }
    }
    (sip, h323, vtc)
}

pub(super) fn personal_mail_domain(address: &str) -> bool {
    let domain = address
        .rsplit('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "icloud.com",
        "live.com",
    ]
    .contains(&domain.as_str())
}
