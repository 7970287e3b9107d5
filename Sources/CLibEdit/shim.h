// Non-variadic wrappers over BSD libedit for Swift (Swift cannot call variadic C functions),
// plus accessors for C globals that Swift 6 rejects as not concurrency-safe.
#ifndef HMAML_CLIBEDIT_SHIM_H
#define HMAML_CLIBEDIT_SHIM_H
#include <stdio.h>
#include <histedit.h>

static inline FILE *hm_stdin(void) { return stdin; }
static inline FILE *hm_stdout(void) { return stdout; }
static inline FILE *hm_stderr(void) { return stderr; }
#endif
