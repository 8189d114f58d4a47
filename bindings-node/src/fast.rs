//! Plain N-API functions for the hot path.
//!
//! A `#[napi]` method pays for napi-rs's generic machinery on every call: unwrapping and
//! type-tag-checking `this`, and registering a native-borrow scope (which allocates). For a
//! call that should cost a few hundred nanoseconds in total that is a large share, so `route`
//! and `routeRaw` also exist as functions created here with `napi_create_function`, whose
//! `data` pointer is an `Rc<Core>` owned by the function object (released by a finalizer).

use crate::js::Raw;
use crate::request::Inputs;
use crate::{guard, Core};
use napi::bindgen_prelude::ToNapiValue;
use napi::sys;
use std::ffi::{c_void, CString};
use std::ptr;
use std::rc::Rc;

/// A JS value returned as is.
pub struct RawValue(sys::napi_value);

impl ToNapiValue for RawValue {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        Ok(val.0)
    }
}

fn check(st: sys::napi_status, what: &str) -> napi::Result<()> {
    if st == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!(
            "N-API call failed: {what} (status {st})"
        )))
    }
}

/// Creates `{route, routeSimple, routeRaw}` bound to `core`.
pub fn functions(env: sys::napi_env, core: &Rc<Core>) -> napi::Result<RawValue> {
    let mut obj = ptr::null_mut();
    // SAFETY: `env` is the env of the current call; `obj` is a valid out pointer.
    let st = unsafe { sys::napi_create_object(env, &mut obj) };
    check(st, "create object")?;
    let list: [(&[u8], sys::napi_callback); 3] = [
        (b"route\0", Some(route_cb)),
        (b"routeSimple\0", Some(route_simple_cb)),
        (b"routeRaw\0", Some(route_raw_cb)),
    ];
    for (name, cb) in list {
        let data = Rc::into_raw(core.clone()) as *mut c_void;
        let mut f = ptr::null_mut();
        // SAFETY: `name` is NUL-terminated; `data` is an `Rc<Core>` whose ownership passes to
        // the function object: the finalizer below releases it when the function is
        // collected, and the callbacks only borrow it while the function is alive.
        unsafe {
            let created = sys::napi_create_function(
                env,
                name.as_ptr().cast(),
                (name.len() - 1) as isize,
                cb,
                data,
                &mut f,
            );
            if created != sys::Status::napi_ok {
                drop(Rc::from_raw(data as *const Core));
                return Err(napi::Error::from_reason(
                    "N-API call failed: create function",
                ));
            }
            check(
                sys::napi_add_finalizer(
                    env,
                    f,
                    data,
                    Some(release),
                    ptr::null_mut(),
                    ptr::null_mut(),
                ),
                "add finalizer",
            )?;
            check(
                sys::napi_set_named_property(env, obj, name.as_ptr().cast(), f),
                "set property",
            )?;
        }
    }
    Ok(RawValue(obj))
}

unsafe extern "C" fn release(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the pointer made by `Rc::into_raw` for this function object, and
    // this finalizer runs once.
    crate::catch_unwind_silently(|| unsafe { drop(Rc::from_raw(data as *const Core)) });
}

/// Reads up to `N` arguments (missing ones are `undefined`) and the function's `Core`.
///
/// # Safety
/// `env` and `info` must be those of the current callback of a function made by `functions`.
unsafe fn args<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Option<([Raw; N], *const Core)> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    let mut data = ptr::null_mut();
    // SAFETY: per the function's contract; `argv` holds `argc` slots.
    let st = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            &mut data,
        )
    };
    if st != sys::Status::napi_ok || data.is_null() {
        return None;
    }
    // N-API fills missing arguments with `undefined`.
    Some((argv.map(|value| Raw { env, value }), data as *const Core))
}

/// Returns `r` to JS: an int32, or throws the error.
unsafe fn finish(env: sys::napi_env, r: napi::Result<i32>) -> sys::napi_value {
    let mut out = ptr::null_mut();
    match r {
        Ok(id) => {
            // SAFETY: `env` is the current env; `out` a valid out pointer.
            unsafe { sys::napi_create_int32(env, id, &mut out) };
        }
        Err(e) => {
            let msg = CString::new(e.reason.replace('\0', " ")).unwrap_or_default();
            // SAFETY: `msg` is NUL-terminated; a null code is allowed.
            unsafe { sys::napi_throw_error(env, ptr::null(), msg.as_ptr()) };
        }
    }
    out
}

/// `route(method, host, path, headers, port, sni)`.
unsafe extern "C" fn route_cb(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by N-API for a function made by `functions`.
    let Some(([method, host, path, headers, port, sni], core)) = (unsafe { args::<6>(env, info) })
    else {
        return ptr::null_mut();
    };
    // SAFETY: the function object owns a strong reference to `core` while it can be called.
    let core = unsafe { &*core };
    let r = guard(|| {
        core.route_inputs(&Inputs {
            method,
            host: Some(host),
            target: path,
            headers,
            port,
            sni: Some(sni),
            scheme: None,
            raw: false,
        })
    });
    // SAFETY: `env` is the current env.
    unsafe { finish(env, r) }
}

/// `routeSimple(method, host, path)`: `route` without headers, port or SNI.
unsafe extern "C" fn route_simple_cb(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by N-API for a function made by `functions`.
    let Some(([method, host, path], core)) = (unsafe { args::<3>(env, info) }) else {
        return ptr::null_mut();
    };
    // SAFETY: the function object owns a strong reference to `core` while it can be called.
    let core = unsafe { &*core };
    let r = guard(|| core.route_simple(method, host, path));
    // SAFETY: `env` is the current env.
    unsafe { finish(env, r) }
}

/// `routeRaw(method, url, rawHeaders, port, sni)`.
unsafe extern "C" fn route_raw_cb(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by N-API for a function made by `functions`.
    let Some(([method, url, raw_headers, port, sni], core)) = (unsafe { args::<5>(env, info) })
    else {
        return ptr::null_mut();
    };
    // SAFETY: the function object owns a strong reference to `core` while it can be called.
    let core = unsafe { &*core };
    let r = guard(|| {
        core.route_inputs(&Inputs {
            method,
            host: None,
            target: url,
            headers: raw_headers,
            port,
            sni: Some(sni),
            scheme: None,
            raw: true,
        })
    });
    // SAFETY: `env` is the current env.
    unsafe { finish(env, r) }
}
