//! Thin, allocation-free access to raw JavaScript values.
//!
//! The hot path (`route`) reads its string arguments into buffers that live as long as the
//! router, instead of napi-rs's `String` conversion (which allocates a fresh `Vec` per argument
//! and asks V8 for the UTF-8 length first). Every function here calls N-API directly on the
//! `napi_env` of the current call; none of them can run JavaScript (they read primitives,
//! arrays and own properties only... a getter on a headers object may run, which is harmless).

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValueType};
use napi::{sys, Error, Status};
use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::ptr;

/// Any JavaScript value passed to a native method, read on demand.
#[derive(Clone, Copy)]
pub struct Raw {
    pub env: sys::napi_env,
    pub value: sys::napi_value,
}

impl TypeName for Raw {
    fn type_name() -> &'static str {
        "unknown"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl FromNapiValue for Raw {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        Ok(Raw { env, value })
    }
}

/// The JavaScript type of a value, as far as the binding cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Undefined,
    Null,
    Number,
    String,
    Object,
    Other,
}

/// A `TypeError` (or `RangeError`) for the JS wrapper to rethrow with a Node-style `code`.
pub fn js_error(class: &str, code: &str, message: impl Into<String>) -> Error {
    let body = serde_json::json!({
        "trieway": class,
        "code": code,
        "message": message.into(),
    });
    Error::new(Status::InvalidArg, body.to_string())
}

/// A `TypeError` with code `ERR_INVALID_ARG_TYPE`.
pub fn type_error(message: impl Into<String>) -> Error {
    js_error("TypeError", "ERR_INVALID_ARG_TYPE", message)
}

fn status_error(what: &str, status: sys::napi_status) -> Error {
    Error::new(
        Status::GenericFailure,
        format!("N-API call failed while reading {what} (status {status})"),
    )
}

impl Raw {
    /// The value's type.
    pub fn kind(&self) -> Kind {
        let mut t = 0;
        // SAFETY: `env` and `value` come from the current N-API callback and are valid for
        // its duration; `t` is a valid out pointer.
        let st = unsafe { sys::napi_typeof(self.env, self.value, &mut t) };
        if st != sys::Status::napi_ok {
            return Kind::Other;
        }
        match t {
            sys::ValueType::napi_undefined => Kind::Undefined,
            sys::ValueType::napi_null => Kind::Null,
            sys::ValueType::napi_number => Kind::Number,
            sys::ValueType::napi_string => Kind::String,
            sys::ValueType::napi_object => Kind::Object,
            _ => Kind::Other,
        }
    }

    /// `undefined` or `null`.
    pub fn is_nullish(&self) -> bool {
        matches!(self.kind(), Kind::Undefined | Kind::Null)
    }

    /// A number.
    pub fn number(&self, what: &str) -> napi::Result<f64> {
        let mut n = 0.0;
        // SAFETY: as in `kind`; `n` is a valid out pointer.
        let st = unsafe { sys::napi_get_value_double(self.env, self.value, &mut n) };
        match st {
            sys::Status::napi_ok => Ok(n),
            sys::Status::napi_number_expected => {
                Err(type_error(format!("{what} must be a number")))
            }
            s => Err(status_error(what, s)),
        }
    }

    /// Whether the value is an `Array`.
    pub fn is_array(&self) -> bool {
        let mut b = false;
        // SAFETY: as in `kind`.
        unsafe { sys::napi_is_array(self.env, self.value, &mut b) == sys::Status::napi_ok && b }
    }

    /// Length of an array (0 when the value is not one).
    pub fn array_len(&self) -> u32 {
        let mut n = 0;
        // SAFETY: as in `kind`.
        let st = unsafe { sys::napi_get_array_length(self.env, self.value, &mut n) };
        if st == sys::Status::napi_ok {
            n
        } else {
            0
        }
    }

    /// Element `i` of an array or array-like object.
    pub fn element(&self, i: u32, what: &str) -> napi::Result<Raw> {
        let mut v = ptr::null_mut();
        // SAFETY: as in `kind`; `v` is a valid out pointer.
        let st = unsafe { sys::napi_get_element(self.env, self.value, i, &mut v) };
        if st != sys::Status::napi_ok {
            return Err(status_error(what, st));
        }
        Ok(Raw {
            env: self.env,
            value: v,
        })
    }

    /// Property `key` (a JS string value) of an object.
    pub fn property(&self, key: sys::napi_value, what: &str) -> napi::Result<Raw> {
        let mut v = ptr::null_mut();
        // SAFETY: as in `kind`; `key` is a value of the same env.
        let st = unsafe { sys::napi_get_property(self.env, self.value, key, &mut v) };
        if st != sys::Status::napi_ok {
            return Err(status_error(what, st));
        }
        Ok(Raw {
            env: self.env,
            value: v,
        })
    }

    /// Property `name` of an object.
    pub fn named(&self, name: &CStr, what: &str) -> napi::Result<Raw> {
        let mut v = ptr::null_mut();
        // SAFETY: as in `kind`; `name` is NUL-terminated.
        let st =
            unsafe { sys::napi_get_named_property(self.env, self.value, name.as_ptr(), &mut v) };
        if st != sys::Status::napi_ok {
            return Err(status_error(what, st));
        }
        Ok(Raw {
            env: self.env,
            value: v,
        })
    }

    /// The own enumerable string keys of an object, as a JS array.
    pub fn own_keys(&self, what: &str) -> napi::Result<Raw> {
        let mut v = ptr::null_mut();
        // SAFETY: as in `kind`.
        let st = unsafe {
            sys::napi_get_all_property_names(
                self.env,
                self.value,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut v,
            )
        };
        if st != sys::Status::napi_ok {
            return Err(status_error(what, st));
        }
        Ok(Raw {
            env: self.env,
            value: v,
        })
    }

    /// A JS string for `s`, e.g. a property key reused across a batch.
    pub fn make_string(env: sys::napi_env, s: &str) -> napi::Result<sys::napi_value> {
        let mut v = ptr::null_mut();
        // SAFETY: `s` points to `s.len()` valid UTF-8 bytes.
        let st = unsafe {
            sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v)
        };
        if st != sys::Status::napi_ok {
            return Err(status_error("a key", st));
        }
        Ok(v)
    }

    /// Appends the UTF-8 bytes of a JS string to `buf` and returns the byte range written.
    /// `Ok(None)` when the string is longer than `limit` bytes (nothing is appended then).
    /// A value that is not a string is a `TypeError` naming `what`. What is appended is
    /// always valid UTF-8 (lone surrogates become U+FFFD).
    pub fn append_str(
        &self,
        buf: &mut Vec<u8>,
        limit: usize,
        what: &dyn Fn() -> String,
    ) -> napi::Result<Option<(usize, usize)>> {
        match self.append(buf, limit, what)? {
            Got::Text(range) => Ok(Some(range)),
            Got::TooLong => Ok(None),
            Got::NotString => Err(type_error(format!("{} must be a string", what()))),
        }
    }

    /// [`Raw::append_str`], with "not a string" as a value instead of an error.
    ///
    /// A string of fewer than [`SHORT`] UTF-16 units (method, host, most paths and header
    /// lines) is read as UTF-16 into a stack buffer and transcoded here: V8 copies UTF-16 out
    /// of a string about as fast as `memcpy`, while its UTF-8 writer (`WriteUtf8`, behind
    /// `napi_get_value_string_utf8`) encodes one character at a time and was the largest
    /// single cost of a `route()` call. Short strings are accepted whatever `limit` says.
    pub fn append(
        &self,
        buf: &mut Vec<u8>,
        limit: usize,
        what: &dyn Fn() -> String,
    ) -> napi::Result<Got> {
        let start = buf.len();
        let mut wide = [const { MaybeUninit::<u16>::uninit() }; SHORT];
        let mut units = 0usize;
        // SAFETY: `env` and `value` come from the current N-API callback; `wide` has room for
        // `SHORT` units: N-API writes at most `SHORT - 1` units plus a NUL and reports in
        // `units` how many (without the NUL) it wrote.
        let st = unsafe {
            sys::napi_get_value_string_utf16(
                self.env,
                self.value,
                wide.as_mut_ptr().cast(),
                SHORT,
                &mut units,
            )
        };
        match st {
            sys::Status::napi_ok => {}
            sys::Status::napi_string_expected => return Ok(Got::NotString),
            s => return Err(status_error(&what(), s)),
        }
        if units + 1 < SHORT {
            // The whole string fit.
            // SAFETY: N-API initialized the first `units` elements of `wide` (see above), and
            // `MaybeUninit<u16>` has the layout of `u16`.
            let units: &[u16] = unsafe { std::slice::from_raw_parts(wide.as_ptr().cast(), units) };
            push_utf16(buf, units);
            return Ok(Got::Text((start, buf.len())));
        }
        // A long string: its UTF-8 length, then the bytes straight into `buf`.
        let mut len = 0usize;
        // SAFETY: a null buffer asks N-API for the length only.
        let st = unsafe {
            sys::napi_get_value_string_utf8(self.env, self.value, ptr::null_mut(), 0, &mut len)
        };
        if st != sys::Status::napi_ok {
            return Err(status_error(&what(), st));
        }
        if len > limit {
            return Ok(Got::TooLong);
        }
        buf.reserve(len + 1);
        let spare = buf.capacity() - start;
        let mut written = 0usize;
        // SAFETY: the buffer has `spare` writable bytes after `start`; N-API writes at most
        // `spare - 1` bytes plus a NUL, and reports in `written` how many bytes (without the
        // NUL) it wrote, all of them initialized, so `set_len(start + written)` is sound.
        let st = unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                self.value,
                buf.as_mut_ptr().add(start).cast(),
                spare,
                &mut written,
            )
        };
        if st != sys::Status::napi_ok {
            return Err(status_error(&what(), st));
        }
        // SAFETY: see above.
        unsafe { buf.set_len(start + written) };
        // N-API writes UTF-8 with U+FFFD for lone surrogates; checked all the same, since
        // `Text` relies on it.
        if std::str::from_utf8(&buf[start..]).is_err() {
            let fixed = String::from_utf8_lossy(&buf[start..]).into_owned();
            buf.truncate(start);
            buf.extend_from_slice(fixed.as_bytes());
        }
        Ok(Got::Text((start, buf.len())))
    }

    /// Reads a JS string into `buf` (cleared first). `Ok(false)` when longer than `limit`.
    pub fn read_str(
        &self,
        buf: &mut Vec<u8>,
        limit: usize,
        what: &dyn Fn() -> String,
    ) -> napi::Result<bool> {
        buf.clear();
        Ok(self.append_str(buf, limit, what)?.is_some())
    }
}

/// Strings shorter than this many UTF-16 units are read through a stack buffer (see
/// [`Raw::append_str`]).
pub const SHORT: usize = 128;

/// Appends the UTF-8 encoding of UTF-16 `units` to `buf`, lone surrogates as U+FFFD (as
/// `napi_get_value_string_utf8` does). ASCII, the usual case, is narrowed unit by unit.
pub fn push_utf16(buf: &mut Vec<u8>, units: &[u16]) {
    if units.iter().all(|&u| u < 0x80) {
        buf.extend(units.iter().map(|&u| u as u8));
        return;
    }
    buf.reserve(units.len() * 3);
    for c in char::decode_utf16(units.iter().copied()) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut b = [0u8; 4];
        buf.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }
}

/// What [`Raw::append`] read.
pub enum Got {
    /// A string: the byte range appended.
    Text((usize, usize)),
    /// A string longer than the limit (nothing appended).
    TooLong,
    /// Not a string (nothing appended).
    NotString,
}

/// UTF-8 text read from JS strings into a buffer reused between calls.
///
/// Only [`Text::read`], [`Text::read_opt`] and [`Text::set`] write it, with valid UTF-8
/// ([`Raw::append`] guarantees it), so [`Text::as_str`] borrows it without checking again.
#[derive(Default)]
pub struct Text(Vec<u8>);

impl Text {
    /// Reads the JS string `v` (a `TypeError` naming `what` for anything else); `Ok(false)`,
    /// and empty, when it is longer than `limit` bytes.
    pub fn read(&mut self, v: Raw, limit: usize, what: &dyn Fn() -> String) -> napi::Result<bool> {
        self.0.clear();
        Ok(v.append_str(&mut self.0, limit, what)?.is_some())
    }

    /// Reads an optional JS string: `Ok(false)`, and empty, for `undefined` or `null`. The
    /// string is read first, so a present string costs one N-API call.
    pub fn read_opt(&mut self, v: Raw, what: &str) -> napi::Result<bool> {
        self.0.clear();
        match v.append(&mut self.0, usize::MAX, &|| what.to_string())? {
            Got::Text(_) | Got::TooLong => Ok(true),
            Got::NotString if v.is_nullish() => Ok(false),
            Got::NotString => Err(type_error(format!("{what} must be a string"))),
        }
    }

    /// Sets the text to `s`.
    pub fn set(&mut self, s: &str) {
        self.0.clear();
        self.0.extend_from_slice(s.as_bytes());
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // SAFETY: every writer of `self.0` (see the type's documentation) writes valid UTF-8:
        // `Raw::append` appends ASCII bytes, `char::encode_utf8` output, or bytes checked
        // with `str::from_utf8`; `set` copies a `&str`.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    /// The text's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}
