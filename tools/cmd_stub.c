/* TEMPORARY weak stubs while subcommands are being written. */
#include "cli.h"
#define STUB(n) __attribute__((weak)) int n(int argc, char **argv) { (void)argc; (void)argv; cli_err("not yet"); return 3; }
STUB(cmd_down) STUB(cmd_exec) STUB(cmd_shell) STUB(cmd_ls) STUB(cmd_holder)
