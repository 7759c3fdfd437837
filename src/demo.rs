//! The embedded demo room: what `roomvoice` uses when no configuration file is found, so
//! that `roomvoice ask "alexa is this room free"` works with zero setup. Its files live
//! in `device/demo/`.

/// The demo room's configuration.
pub(crate) const CONFIG: &str = include_str!("../device/demo/roomvoice.toml");
/// The demo room's calendar.
pub(crate) const ROOM_CALENDAR: &str = include_str!("../device/demo/room.ics");
/// The demo user's calendar ("what's on my calendar").
pub(crate) const USER_CALENDAR: &str = include_str!("../device/demo/user.ics");
