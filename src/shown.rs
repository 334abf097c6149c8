//! How user text is shown: cut to a length ([`shorten`], [`bounded`]), kept on one line and
//! free of anything a terminal or a CI runner would act on ([`one_line`]), and with secrets
//! masked ([`mask`]).

/// `text` cut to at most `max` characters, with `…` where it was cut.
pub fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((i, _)) => format!("{}…", &text[..i]).into(),
    }
}

/// `text` on one line and without anything a terminal or a CI runner would act on: line
/// breaks as `\n` and `\r`, other control characters and bidirectional overrides as
/// `\u{..}`. User text passes through here wherever strata prints it in a message, so no
/// name, version or value can start a line of its own (a `::error` workflow command) or
/// rewrite what came before it.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.into()
}

/// Replaces every occurrence of a secret in `text` with `(sensitive)`.
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "(sensitive)");
    }
    out
}

/// The most characters of a `quoted` value a message shows.
pub const QUOTED: usize = 120;

/// The most characters of one message.
pub const MESSAGE: usize = 2_000;

/// A message with each `` `quoted` `` part cut to [`QUOTED`] characters and the whole to
/// [`MESSAGE`]: messages quote values from other teams' files, and a value of a megabyte
/// is not printed back.
pub fn bounded(message: String) -> String {
    if message.len() <= QUOTED && !message.contains('\n') {
        return message;
    }
    let mut out = String::with_capacity(message.len().min(MESSAGE + 8));
    let mut inside = false;
    let mut quoted = 0;
    for c in message.chars() {
        if c == '`' {
            inside = !inside;
            quoted = 0;
            out.push(c);
            continue;
        }
        if inside {
            quoted += 1;
            if quoted > QUOTED {
                if quoted == QUOTED + 1 {
                    out.push('…');
                }
                continue;
            }
        }
        out.push(c);
    }
    shorten(&out, MESSAGE).into_owned()
}

/// The position of the first control character other than tab, newline and carriage
/// return (or DEL). Every file strata reads passes here: blocks of 64 bytes are tested
/// without branching (which the compiler turns into vector instructions) and only a block
/// that has one is searched.
pub fn first_control(bytes: &[u8]) -> Option<usize> {
    let bad = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
    let mut at = 0;
    for block in bytes.chunks(64) {
        if block.iter().fold(false, |any, &b| any | bad(b)) {
            return block.iter().position(|&b| bad(b)).map(|i| at + i);
        }
        at += block.len();
    }
    None
}
