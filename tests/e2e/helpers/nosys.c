/* nosys — run a command as if the kernel lacked one system call.
 *
 *   nosys SYSCALL_NUMBER CMD [ARG...]
 *
 * Installs a seccomp filter that makes that system call fail with ENOSYS,
 * as an older kernel would, then execs CMD.  The end-to-end tests use it to
 * see what `nslab up` says on a kernel too old for it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

int main(int argc, char **argv)
{
	unsigned int nr;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (argc < 3) {
		fprintf(stderr, "usage: nosys SYSCALL_NUMBER CMD [ARG...]\n");
		return 2;
	}
	nr = (unsigned int)strtoul(argv[1], NULL, 0);
	f[4].k = nr;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("nosys: seccomp");
		return 125;
	}
	execvp(argv[2], argv + 2);
	perror("nosys: exec");
	return 127;
}
