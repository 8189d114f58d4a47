//! [`Live::watch`] (feature `watch`): reloads changed configuration files into a [`Live`]
//! router.
//!
//! The watched paths (files, or directories read recursively for `.yaml`, `.yml` and `.json`
//! files) are read once at the start and applied as one change set, so the Live holds what the
//! files say. Then file system events (the `notify` crate) are collected until none came for
//! [`WatchOptions::debounce`]; each changed file is read again and becomes part of one change
//! set: an upsert for every object it holds, a delete for every object it held before and no
//! longer holds (all of them when the file is gone). A file that does not parse (a half-written
//! save) is reported and left out: its objects keep serving until a readable version comes.
//! Every reload, the first included, is reported to the callback as a [`Reload`].

use crate::error::{ConfigError, Error};
use crate::live::{ApplyResult, Change, Live, ObjectKey};
use notify::{RecursiveMode, Watcher as _};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How [`Live::watch`] reloads.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WatchOptions {
    /// Quiet time after the last file event before a reload (default 200 ms): an editor's
    /// save, or `kubectl`-style writes of several files, become one change set.
    pub debounce: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(200),
        }
    }
}

impl WatchOptions {
    /// Sets [`WatchOptions::debounce`].
    pub fn debounce(mut self, debounce: Duration) -> Self {
        self.debounce = debounce;
        self
    }
}

/// One reload: the files read and what applying their objects did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reload {
    /// The files read (or found deleted) for this reload, sorted.
    pub files: Vec<PathBuf>,
    /// Files that could not be read or parsed, with why; their objects keep serving.
    pub unreadable: Vec<ConfigError>,
    /// What the change set did.
    pub result: ApplyResult,
}

impl std::fmt::Display for Reload {
    /// `N file(s): ` and the result ([`ApplyResult`]'s form), then unreadable files.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} file(s): {}", self.files.len(), self.result)?;
        for e in &self.unreadable {
            write!(f, "\n  unreadable: {e}")?;
        }
        Ok(())
    }
}

/// A running [`Live::watch`]: dropping it (or [`Watcher::stop`]) stops watching and waits for
/// a reload in progress to end.
#[derive(Debug)]
pub struct Watcher {
    watcher: Option<notify::RecommendedWatcher>,
    worker: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Stops watching and waits for the reload in progress, if any.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        // Dropping the notify watcher closes the event channel; the worker then ends.
        self.watcher.take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Live {
    /// Watches `paths` (files, or directories read recursively) and applies what changes in
    /// them to this Live router, reporting every reload to `callback` (on the watcher's
    /// thread), the initial read of every file first. See the module documentation of
    /// `watch` for what a reload reads and applies.
    ///
    /// Paths are watched in their canonical form (`Path::canonicalize`): objects read by
    /// the watcher have the canonical file name as origin; start the Live from the same form
    /// (as `trieway watch` does) for the first reload to find every object unchanged.
    ///
    /// `Err` when a path cannot be watched (it does not exist, or the system refuses).
    pub fn watch<F>(
        self: &Arc<Self>,
        paths: &[PathBuf],
        options: WatchOptions,
        callback: F,
    ) -> Result<Watcher, Error>
    where
        F: FnMut(Reload) + Send + 'static,
    {
        let (tx, rx) = channel::<notify::Result<notify::Event>>();
        let mut watcher = notify::recommended_watcher(move |event| {
            // The receiver is gone only when the worker ended: nothing to tell then.
            let _ = tx.send(event);
        })
        .map_err(|e| io_error("<watch>", e))?;
        for p in paths {
            let mode = if p.is_dir() {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            watcher.watch(p, mode).map_err(|e| io_error(p, e))?;
        }
        // Events name files below the canonical form of what is watched; keys of `owned`
        // and origins must be the same paths.
        let roots: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
            .collect();
        let mut state = State {
            live: self.clone(),
            roots,
            owned: BTreeMap::new(),
            callback,
        };
        // The first reload: every file, before events are looked at (events of this read's
        // files that arrive later only cause a reload that finds nothing changed).
        let all = state.config_files();
        state.reload(all, Vec::new());
        let worker = std::thread::Builder::new()
            .name("trieway-watch".into())
            .spawn(move || state.run(rx, options.debounce))
            .map_err(|e| io_error("<watch thread>", e))?;
        Ok(Watcher {
            watcher: Some(watcher),
            worker: Some(worker),
        })
    }
}

fn io_error(path: impl AsRef<Path>, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.as_ref().display().to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// The watcher thread's state.
struct State<F> {
    live: Arc<Live>,
    roots: Vec<PathBuf>,
    /// The objects each file held at its last successful read.
    owned: BTreeMap<PathBuf, BTreeSet<ObjectKey>>,
    callback: F,
}

fn is_config_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

impl<F: FnMut(Reload)> State<F> {
    /// Debounces events and reloads the files they name, until the event channel closes.
    fn run(mut self, rx: Receiver<notify::Result<notify::Event>>, debounce: Duration) {
        while let Ok(first) = rx.recv() {
            let mut changed = BTreeSet::new();
            let mut errors = Vec::new();
            collect(first, &mut changed, &mut errors);
            loop {
                match rx.recv_timeout(debounce) {
                    Ok(event) => collect(event, &mut changed, &mut errors),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            // A path that is a directory now (created, or moved in): every file below it.
            let mut files = BTreeSet::new();
            for p in changed {
                if p.is_dir() {
                    files.extend(walk(&p));
                } else if is_config_file(&p) || self.owned.contains_key(&p) {
                    files.insert(p);
                }
            }
            // A directory that went away: the files known below it.
            let gone: Vec<PathBuf> = self.owned.keys().filter(|f| !f.exists()).cloned().collect();
            files.extend(gone);
            if files.is_empty() && errors.is_empty() {
                continue;
            }
            self.reload(files, errors);
        }
    }

    /// Every configuration file below the roots.
    fn config_files(&self) -> BTreeSet<PathBuf> {
        self.roots.iter().flat_map(|r| walk(r)).collect()
    }

    /// Reads `files`, applies their objects as one change set, and reports it (with the
    /// watching `errors` met since the last reload).
    fn reload(&mut self, files: BTreeSet<PathBuf>, errors: Vec<ConfigError>) {
        let mut changes = Vec::new();
        let mut unreadable = errors;
        let mut next: Vec<(PathBuf, BTreeSet<ObjectKey>)> = Vec::new();
        for file in &files {
            let name = file.display().to_string();
            let max = crate::load::DEFAULT_MAX_BYTES as u64;
            if std::fs::metadata(file).is_ok_and(|m| m.len() > max) {
                unreadable.push(ConfigError::new(
                    "",
                    "",
                    None,
                    "",
                    format!("{name}: larger than {max} bytes (LoadLimits::max_bytes); not read"),
                ));
                continue;
            }
            let read = match std::fs::read(file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => Change::parse(&text, &name),
                    Err(e) => Err(Error::Invalid(vec![ConfigError::new(
                        "",
                        "",
                        None,
                        "",
                        format!("{name}: input is not UTF-8 ({e})"),
                    )])),
                },
                // Gone: every object it held is deleted.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(io_error(file, e)),
            };
            let file_changes = match read {
                Ok(c) => c,
                Err(Error::Invalid(errors)) => {
                    unreadable.extend(errors);
                    continue;
                }
                Err(e) => {
                    unreadable.push(ConfigError::new("", "", None, "", e.to_string()));
                    continue;
                }
            };
            let keys: BTreeSet<ObjectKey> = file_changes.iter().map(Change::key).collect();
            if let Some(before) = self.owned.get(file) {
                for key in before.difference(&keys) {
                    changes.push(Change::Delete(key.clone()));
                }
            }
            changes.extend(file_changes);
            next.push((file.clone(), keys));
        }
        let result = self.live.apply(changes);
        if result.failed.is_none() {
            for (file, keys) in next {
                if keys.is_empty() {
                    self.owned.remove(&file);
                } else {
                    self.owned.insert(file, keys);
                }
            }
        }
        (self.callback)(Reload {
            files: files.into_iter().collect(),
            unreadable,
            result,
        });
    }
}

/// Adds the paths of a file system event (or its error) to what the next reload reads.
fn collect(
    event: notify::Result<notify::Event>,
    changed: &mut BTreeSet<PathBuf>,
    errors: &mut Vec<ConfigError>,
) {
    match event {
        Ok(e) if e.kind.is_access() => {}
        Ok(e) => changed.extend(e.paths),
        Err(e) => errors.push(ConfigError::new(
            "",
            "",
            None,
            "",
            format!("file watching: {e}"),
        )),
    }
}

/// The configuration files at or below `path`, sorted.
fn walk(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return out;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            out.extend(walk(&p));
        }
    } else if is_config_file(path) {
        out.push(path.to_path_buf());
    }
    out
}
