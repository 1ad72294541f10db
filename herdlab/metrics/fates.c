/* SPDX-License-Identifier: MIT */
/*
 * fates.c - the fates of connections, made sense of (fates.h).
 *
 * Everything here is arithmetic over the counts and a table of phrases: one
 * phrase per count of struct herd_fate, said only when the count is not zero,
 * and one ending per error kind of herdload, so that a sentence says what the
 * kernel did and what the client saw, in that order, and nothing it did not
 * count.
 */
#include "metrics/fates.h"

#include <stdio.h>
#include <string.h>

#include "jsonio.h"
#include "metrics/join.h"
#include "metrics/keys.h"
#include "metrics/records.h"

void fates_mark_accepted(struct trace_result *r)
{
	for (size_t i = 0; i < r->nfates; i++) {
		const struct herd_fate *f = &r->fates[i].f;
		uint64_t from =
			f->first_ns > JOIN_TOLERANCE_NS ? f->first_ns - JOIN_TOLERANCE_NS : 0;
		uint64_t to = f->last_ns + JOIN_TOLERANCE_NS;
		bool accepted = false;
		for (size_t c = 0; c < r->nconns && !accepted; c++) {
			const struct herd_conn *k = &r->conns[c];
			accepted = k->accepted_ns && k->client_port == f->key.client_port &&
				   k->server_port == f->key.server_port &&
				   k->family == f->key.family &&
				   !memcmp(k->client_addr, f->key.client_addr, 16) &&
				   k->established_ns <= to &&
				   (!k->closed_ns || k->closed_ns >= from);
		}
		r->fates[i].accepted = accepted;
	}
}

/* The names of the fate tracepoints, by enum herd_fate_tp. */
static const char *const fate_tp_names[FATE_TPS] = {
#define FATE_NAME(name, args) [FATE_TP_##name] = #name,
	HERD_FATE_TPS(FATE_NAME)
#undef FATE_NAME
};

json_t *fates_json(const struct trace_result *r)
{
	uint64_t retrans = 0, overflow = 0, nosock = 0, synack = 0, sent = 0, received = 0;
	uint64_t client_received = 0, unread = 0, accepted = 0;
	json_t *root = json_object(), *absent = json_array();
	int err = !root || !absent;

	for (size_t i = 0; i < r->nfates; i++) {
		const struct herd_fate *f = &r->fates[i].f;
		retrans += f->syn_retransmits;
		overflow += f->overflow_drops;
		nosock += f->no_socket_drops;
		synack += f->synack_retransmits;
		sent += f->resets_sent;
		received += f->resets_received;
		client_received += f->client_resets_received;
		unread += f->closed_unread;
		accepted += r->fates[i].accepted;
	}
	for (int i = 0; i < FATE_TPS && !err; i++)
		if (r->fates_absent & (1u << i))
			err |= json_array_append_new(absent, json_string(fate_tp_names[i]));
#define SET(key, v) (err |= !err && jsonio_set_path(root, key, json_integer((json_int_t)(v))))
	SET(MK_FATES_SYN_DROPS, retrans + overflow + nosock);
	SET(MK_DOT(MK_FATES_SYN_DROPS_BY_REASON, "LISTEN_OVERFLOW"), overflow);
	SET(MK_DOT(MK_FATES_SYN_DROPS_BY_REASON, "NO_SOCKET"), nosock);
	SET(MK_DOT(MK_FATES_SYN_DROPS_BY_REASON, "unanswered"), retrans);
	SET(MK_FATES_SYNACK_RETRANSMITS, synack);
	SET(MK_FATES_RESETS_SENT, sent);
	SET(MK_FATES_RESETS_RECEIVED, received);
	SET(MK_FATES_CLIENT_RESETS_RECEIVED, client_received);
	SET(MK_FATES_CLOSED_UNREAD, unread);
	SET(MK_FATES_CONNECTIONS, r->nfates);
	SET(MK_FATES_ACCEPTED, accepted);
	SET(MK_FATES_LOST, r->totals.fates_lost);
#undef SET
	if (!err) {
		err = jsonio_set_path(root, MK_FATES_ABSENT, absent);
		absent = NULL;
	}
	json_decref(absent);
	json_t *fates = err ? NULL : json_object_get(root, MK_FATES);
	json_incref(fates);
	json_decref(root);
	return fates;
}

/* ---- sentences --------------------------------------------------------------------- */

/* "N THING" or "N THINGs", appended to @buf after ", " when something is there. */
static void add(char *buf, size_t len, uint64_t n, const char *one, const char *many,
		const char *tail)
{
	size_t used = strlen(buf);

	if (!n || used >= len)
		return;
	snprintf(buf + used, len - used, "%s%llu %s%s", used ? ", " : "", (unsigned long long)n,
		 n == 1 ? one : many, tail);
}

/* What the client saw, after the kernel's part: by herdload's error kind. */
static const struct {
	const char *kind;   /* requests.csv's error */
	const char *ending; /* said before "after N s" */
} endings[] = {
	{ "connect_timeout", "connect timed out" },
	{ "refused", "refused" },
	{ "reset", "reset" },
	{ "timeout", "no complete response, gave up" },
	{ "short", "the response ended short" },
};

const char *fates_sentence(const struct client_req *r, const struct herd_fate *f, char *buf,
			   size_t len)
{
	char what[320] = "";
	uint64_t from = r->connect_start_ns ? r->connect_start_ns : r->scheduled_ns;
	double s = r->last_byte_ns > from ? (double)(r->last_byte_ns - from) / 1e9 : 0;
	const char *ending = "failed";

	if (f) {
		add(what, sizeof(what), f->syn_retransmits, "SYN sent again", "SYNs sent again",
		    " unanswered (dropped at a full queue)");
		add(what, sizeof(what), f->no_socket_drops, "SYN dropped", "SYNs dropped",
		    " with nothing listening");
		add(what, sizeof(what), f->overflow_drops, "handshake ACK dropped",
		    "handshake ACKs dropped", " at a full accept queue");
		add(what, sizeof(what), f->synack_retransmits, "SYN-ACK sent again",
		    "SYN-ACKs sent again", "");
		add(what, sizeof(what), f->resets_sent, "reset sent", "resets sent",
		    " by the server");
		add(what, sizeof(what), f->client_resets_received, "reset reached",
		    "resets reached", " the client");
		add(what, sizeof(what), f->resets_received, "reset from", "resets from",
		    " the client");
		add(what, sizeof(what), f->closed_unread, "close", "closes",
		    " by the server with the request unread");
		if (f->rst_state && strlen(what) + 24 < sizeof(what))
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 " (the %s's socket in %s)",
				 f->rst_state_server ? "server" : "client",
				 metrics_tcp_state_name(f->rst_state));
	}
	if (!what[0])
		snprintf(what, sizeof(what), "%s", f ? "nothing counted" : "no kernel fate found");
	for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++)
		if (!strcmp(r->error, endings[i].kind))
			ending = endings[i].ending;
	snprintf(buf, len, "%s: %s, %s after %.3g s", r->error[0] ? r->error : "failed", what,
		 ending, s);
	return buf;
}

/* ---- the join's failures ------------------------------------------------------------ */

/* join.fates_by_error.KIND, made if new. */
static json_t *kind_of(json_t *by, const char *kind)
{
	json_t *k = json_object_get(by, kind);

	if (k)
		return k;
	k = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", MK_FE_REQUESTS, (json_int_t)0,
		      MK_FE_MATCHED, (json_int_t)0, MK_FE_SYN_DROPS, (json_int_t)0,
		      MK_FE_SYNACK_RETRANSMITS, (json_int_t)0, MK_FE_RESETS_SENT, (json_int_t)0,
		      MK_FE_RESETS_RECEIVED, (json_int_t)0, MK_FE_CLOSED_UNREAD, (json_int_t)0);
	if (k && json_object_set_new(by, kind, k) < 0)
		return NULL;
	return k;
}

static void bump(json_t *o, const char *key, uint64_t n)
{
	json_object_set_new(
		o, key, json_integer(json_integer_value(json_object_get(o, key)) + (json_int_t)n));
}

int fates_join_json(json_t *root, const struct client_req *reqs, size_t n,
		    const struct trace_fate *fates, const ssize_t *fmatch)
{
	json_t *by = json_object();
	size_t failed = 0, matched = 0;
	char sentence[512];

	if (!by)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!csv_req_failed(&reqs[i]))
			continue;
		const struct herd_fate *f = fmatch[i] >= 0 ? &fates[fmatch[i]].f : NULL;
		json_t *k = kind_of(by, reqs[i].error);
		if (!k) {
			json_decref(by);
			return -1;
		}
		failed++;
		matched += f != NULL;
		bump(k, MK_FE_REQUESTS, 1);
		if (!f)
			continue;
		bump(k, MK_FE_MATCHED, 1);
		bump(k, MK_FE_SYN_DROPS, metrics_fate_syn_drops(f));
		bump(k, MK_FE_SYNACK_RETRANSMITS, f->synack_retransmits);
		bump(k, MK_FE_RESETS_SENT, f->resets_sent);
		bump(k, MK_FE_RESETS_RECEIVED, f->resets_received);
		bump(k, MK_FE_CLOSED_UNREAD, f->closed_unread);
		if (!json_object_get(k, MK_FE_EXAMPLE))
			json_object_set_new(k, MK_FE_EXAMPLE,
					    json_string(fates_sentence(&reqs[i], f, sentence,
								       sizeof(sentence))));
	}
	return jsonio_set_path(root, MK_JOIN_FAILED, json_integer((json_int_t)failed)) |
	       jsonio_set_path(root, MK_JOIN_FAILED_MATCHED, json_integer((json_int_t)matched)) |
	       jsonio_set_path(root, MK_JOIN_FAILED_UNMATCHED,
			       json_integer((json_int_t)(failed - matched))) |
	       jsonio_set_path(root, MK_JOIN_FATES_BY_ERROR, by);
}
