/* cmd_holder.c — the holder process of a running lab.
 *
 * holder_spawn() re-executes /proc/self/exe with argv[0] =
 * "nslab: lab NAME" (so `ps` and `pgrep -f '^nslab: lab '` show it), and
 * main() hands such a process to us.  All the work is in core/holder.c. */
#include "cli.h"
#include "holder.h"
#include "state.h"

int cmd_holder(int argc, char **argv)
{
	(void)argc;
	if (!holder_is_argv0(argv[0]))
		return EXIT_USAGE;
	return holder_main();
}
