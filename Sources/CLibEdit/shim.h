// Non-variadic wrappers over BSD libedit for Swift (Swift cannot call variadic C functions),
// plus accessors for C globals that Swift 6 rejects as not concurrency-safe, and the
// async-signal-safe helpers of the hmaml executable's SIGINT counter.
//
// Only the `hmaml` executable imports this module (DESIGN.md §8): libraries and tests never link
// libedit.
#ifndef HMAML_CLIBEDIT_SHIM_H
#define HMAML_CLIBEDIT_SHIM_H
#include <stdio.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <histedit.h>

// MARK: C globals

static inline FILE *hm_stdin(void) { return stdin; }
static inline FILE *hm_stdout(void) { return stdout; }
static inline FILE *hm_stderr(void) { return stderr; }
static inline int hm_errno(void) { return errno; }

// MARK: Terminal

/// The width in columns of the terminal on `fd`, or 0 when `fd` is not a terminal.
static inline int hm_terminal_columns(int fd) {
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return (int)size.ws_col;
}

// MARK: SIGINT
//
// No state lives here: a `static` in a header gets one copy per object file that inlines it (and
// whole-module optimisation inlines across files), so the counter is allocated once by Swift
// (InterruptSignal.swift) and these helpers only take its address.

/// Atomically adds 1 to `*counter`; async-signal-safe.
static inline void hm_atomic_increment(int *counter) {
  __atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
}

/// Atomically reads `*counter` and sets it to 0.
static inline int hm_atomic_take(int *counter) {
  return __atomic_exchange_n(counter, 0, __ATOMIC_SEQ_CST);
}

typedef void (*hm_signal_handler)(int);

/// Installs `handler` for SIGINT WITHOUT SA_RESTART, so a blocking read (libedit's `el_gets`)
/// fails with EINTR. Returns 0 on success, -1 (errno set) otherwise.
static inline int hm_install_sigint_handler(hm_signal_handler handler) {
  struct sigaction action;
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  return sigaction(SIGINT, &action, NULL);
}

/// Unblocks the signals a terminal program must receive (INT, TERM, HUP, QUIT, TSTP, CONT, WINCH)
/// in the calling thread: a parent may have started us with them blocked (test runners do).
static inline int hm_unblock_terminal_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGTSTP);
  sigaddset(&set, SIGCONT);
  sigaddset(&set, SIGWINCH);
  return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/// Blocks SIGINT in the calling thread, so that the signal is delivered to the main thread.
static inline int hm_block_sigint_in_this_thread(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

// MARK: EditLine

typedef char *(*hm_prompt_function)(EditLine *);
typedef unsigned char (*hm_editor_function)(EditLine *, int);

static inline int hm_el_set_prompt(EditLine *el, hm_prompt_function prompt) {
  return el_set(el, EL_PROMPT, prompt);
}
/// Like `hm_el_set_prompt`, but the prompt may hold terminal escapes between two `ignore`
/// characters: libedit sends them without counting them in the prompt's width.
static inline int hm_el_set_prompt_with_escapes(EditLine *el, hm_prompt_function prompt, char ignore) {
  return el_set(el, EL_PROMPT_ESC, prompt, ignore);
}
static inline int hm_el_set_editor(EditLine *el, const char *mode) {
  return el_set(el, EL_EDITOR, mode);
}
/// `on` != 0: libedit catches SIGINT, SIGTSTP, SIGCONT, SIGWINCH… during `el_gets`, restores the
/// terminal, then passes the signal on to the handler installed before.
static inline int hm_el_set_signal(EditLine *el, int on) {
  return el_set(el, EL_SIGNAL, on);
}
static inline int hm_el_set_history(EditLine *el, History *history_state) {
  return el_set(el, EL_HIST, history, history_state);
}
static inline int hm_el_add_function(EditLine *el, const char *name, const char *help,
                                     hm_editor_function function) {
  return el_set(el, EL_ADDFN, name, help, function);
}
static inline int hm_el_bind(EditLine *el, const char *key, const char *function) {
  return el_set(el, EL_BIND, key, function, NULL);
}
static inline int hm_el_set_client_data(EditLine *el, void *data) {
  return el_set(el, EL_CLIENTDATA, data);
}
static inline void *hm_el_client_data(EditLine *el) {
  void *data = NULL;
  if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
  return data;
}

// MARK: History

static inline int hm_history_set_size(History *h, int size) {
  HistEvent event;
  return history(h, &event, H_SETSIZE, size);
}
static inline int hm_history_set_unique(History *h, int unique) {
  HistEvent event;
  return history(h, &event, H_SETUNIQUE, unique);
}
/// Adds `entry` (which may hold newlines: one multi-line entry is one item) as the newest item.
static inline int hm_history_enter(History *h, const char *entry) {
  HistEvent event;
  return history(h, &event, H_ENTER, entry);
}
/// Loads a history file; returns the number of entries read, or -1.
static inline int hm_history_load(History *h, const char *path) {
  HistEvent event;
  return history(h, &event, H_LOAD, path);
}
/// Saves the history file (newlines inside an entry are escaped with strvis); returns the number
/// of entries written, or -1.
static inline int hm_history_save(History *h, const char *path) {
  HistEvent event;
  return history(h, &event, H_SAVE, path);
}
/// The number of entries.
static inline int hm_history_count(History *h) {
  HistEvent event;
  if (history(h, &event, H_GETSIZE) != 0) return 0;
  return event.num;
}


#endif
