#!/usr/bin/env python3
"""l2frames.py - see and send Ethernet frames inside a lab node (t-36).

    l2frames.py sniff IFACE SECONDS HEX
        Prints "ready" once the packet socket is bound, then for SECONDS one
        line per frame IFACE receives (not those it sends): "icmp SRC DST
        TYPE" for IPv4 ICMP whose bytes contain the pattern HEX (what
        `ping -p HEX` puts in its payload), "arp OP SENDER-IP TARGET-IP" for
        ARP.  Frames addressed to other stations count too: a packet socket
        gets them (as PACKET_OTHERHOST) when the wire brings them.
    l2frames.py bcast IFACE
        Sends one broadcast frame of the local experimental EtherType
        0x88b5, which no node answers.

No tcpdump needed: python3 is already a dependency (tools/install-deps).
"""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def sniff(iface, seconds, pattern):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    print("ready", flush=True)
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            frame, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        if addr[2] == PACKET_OUTGOING or len(frame) < 14:
            continue
        etype = struct.unpack("!H", frame[12:14])[0]
        body = frame[14:]
        if etype == 0x0800 and len(body) >= 20 and body[9] == 1:
            ihl = (body[0] & 15) * 4
            if pattern in body[ihl:] and len(body) > ihl:
                print("icmp %s %s %d" % (socket.inet_ntoa(body[12:16]),
                                         socket.inet_ntoa(body[16:20]),
                                         body[ihl]), flush=True)
        elif etype == 0x0806 and len(body) >= 28:
            op = struct.unpack("!H", body[6:8])[0]
            print("arp %d %s %s" % (op, socket.inet_ntoa(body[14:18]),
                                    socket.inet_ntoa(body[24:28])),
                  flush=True)


def bcast(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src = s.getsockname()[4]
    s.send(b"\xff" * 6 + src + b"\x88\xb5" + b"nslab t-36 storm probe".ljust(46, b"\0"))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "sniff":
        sniff(sys.argv[2], float(sys.argv[3]), bytes.fromhex(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "bcast":
        bcast(sys.argv[2])
    else:
        sys.exit("usage: l2frames.py sniff IFACE SECONDS HEX | bcast IFACE")


main()
