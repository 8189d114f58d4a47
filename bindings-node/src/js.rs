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
    /// A value that is not a string is a `TypeError` naming `what`.
    pub fn append_str(
        &self,
        buf: &mut Vec<u8>,
        limit: usize,
        what: &dyn Fn() -> String,
    ) -> napi::Result<Option<(usize, usize)>> {
        let start = buf.len();
        if buf.capacity() - start < 64 {
            buf.reserve(64);
        }
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
        match st {
            sys::Status::napi_ok => {}
            sys::Status::napi_string_expected => {
                return Err(type_error(format!("{} must be a string", what())))
            }
            s => return Err(status_error(&what(), s)),
        }
        if written + 1 < spare {
            // SAFETY: see above.
            unsafe { buf.set_len(start + written) };
            return Ok(Some((start, start + written)));
        }
        // The buffer may have been too small: ask for the full length.
        let mut len = 0usize;
        // SAFETY: a null buffer asks N-API for the length only.
        let st = unsafe {
            sys::napi_get_value_string_utf8(self.env, self.value, ptr::null_mut(), 0, &mut len)
        };
        if st != sys::Status::napi_ok {
            return Err(status_error(&what(), st));
        }
        if len > limit {
            return Ok(None);
        }
        if len == written {
            // SAFETY: see above.
            unsafe { buf.set_len(start + written) };
            return Ok(Some((start, start + written)));
        }
        buf.reserve(len + 1);
        let spare = buf.capacity() - start;
        // SAFETY: as for the first call, with a buffer large enough for the whole string.
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
        Ok(Some((start, start + written)))
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

/// `bytes` as `&str`. N-API writes valid UTF-8 (lone surrogates become U+FFFD), so this never
/// fails in practice; it is still checked.
pub fn utf8(bytes: &[u8]) -> napi::Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| Error::new(Status::GenericFailure, e.to_string()))
}
