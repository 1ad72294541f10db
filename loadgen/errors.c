/* SPDX-License-Identifier: MIT */
/*
 * errors.c - the classification rules of errors.h, one place for all of them.
 *
 * The rules, in the order they are tried:
 *	ECONNREFUSED anywhere				refused
 *	ECONNRESET, EPIPE anywhere			reset
 *	ETIMEDOUT (the kernel gave up)			connect_timeout while connecting,
 *							timeout after
 *	EADDRNOTAVAIL, EADDRINUSE at socket/connect	addr
 *	EOF (err 0) while sending or reading		short
 *	anything else					other
 * and, not from a call at all: a request in flight when a signal stopped the run is
 * interrupted (client.c's abort_in_flight).
 */
#include "errors.h"

#include <errno.h>

static const char *const names[ERR_KINDS] = {
	[ERR_NONE] = "ok",
	[ERR_REFUSED] = "refused",
	[ERR_RESET] = "reset",
	[ERR_CONNECT_TIMEOUT] = "connect_timeout",
	[ERR_TIMEOUT] = "timeout",
	[ERR_SHORT] = "short",
	[ERR_HTTP] = "http",
	[ERR_ADDR] = "addr",
	[ERR_INTERRUPTED] = "interrupted",
	[ERR_OTHER] = "other",
};

const char *err_name(enum err_kind kind)
{
	return (unsigned)kind < ERR_KINDS ? names[kind] : "other";
}

const char *err_phase_name(enum req_phase phase)
{
	static const char *const phases[] = {
		[PHASE_SOCKET] = "opening a socket",
		[PHASE_CONNECT] = "connecting",
		[PHASE_SEND] = "sending",
		[PHASE_RECV] = "reading the response",
	};

	return (unsigned)phase < sizeof(phases) / sizeof(phases[0]) ? phases[phase] : "?";
}

enum err_kind err_from_errno(enum req_phase phase, int err)
{
	switch (err) {
	case ECONNREFUSED:
		return ERR_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return ERR_RESET;
	case ETIMEDOUT:
		return err_from_timeout(phase);
	case EADDRNOTAVAIL:
	case EADDRINUSE:
		return phase <= PHASE_CONNECT ? ERR_ADDR : ERR_OTHER;
	case 0:
		return phase >= PHASE_SEND ? ERR_SHORT : ERR_OTHER;
	default:
		return ERR_OTHER;
	}
}

enum err_kind err_from_timeout(enum req_phase phase)
{
	return phase <= PHASE_CONNECT ? ERR_CONNECT_TIMEOUT : ERR_TIMEOUT;
}

enum err_kind err_from_response(bool intact, int status)
{
	if (!intact)
		return ERR_SHORT;
	return status >= 400 ? ERR_HTTP : ERR_NONE;
}

bool err_retryable(bool reused, uint64_t response_bytes, enum req_phase phase, int err)
{
	if (!reused || response_bytes > 0 || phase < PHASE_SEND)
		return false;
	return err == 0 || err == ECONNRESET || err == EPIPE;
}
