/* cookie — print the netns cookie (SO_NETNS_COOKIE) of the caller's network
 * namespace, for t-20 to forge a lab table naming the host's namespace. */
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int main(void)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &c, &len) < 0) {
		perror("cookie");
		return 1;
	}
	printf("%llu\n", (unsigned long long)c);
	return 0;
}
