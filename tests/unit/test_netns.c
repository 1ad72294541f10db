/* SPDX-License-Identifier: MIT */
/*
 * test_netns.c - the kernel's TCP counters read and subtracted (netstat.c), on
 * the text of a real /proc/net/netstat and /proc/net/snmp read in a fresh
 * namespace before and after a burst of 300 clients against `herdsrv --model
 * iterative --backlog 5` with net.ipv4.tcp_syncookies=0; and herdlab run's
 * --netns options, refused before anything starts (netns.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "session/netns.c" /* its static good_key */
#include "session/netstat.c"

#define NGROUPS 8 /* TcpExt, IpExt, MPTcpExt (netstat); Ip, Icmp, Tcp, Udp, UdpLite (snmp) */

/* The names lines of both files: the same before and after the burst. */
static const char *const names[NGROUPS] = {
	"TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts"
	" PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter"
	" TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected"
	" PAWSOldAck PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost"
	" ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks TCPRenoRecovery"
	" TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder"
	" TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit"
	" TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans"
	" TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery"
	" TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce"
	" TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData"
	" TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout TCPAbortOnLinger"
	" TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard"
	" TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound"
	" TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged"
	" TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop"
	" TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow"
	" TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce"
	" TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge"
	" TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive"
	" TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd"
	" TCPFastOpenBlackhole TCPSpuriousRtxHostQueues BusyPollRxPackets"
	" TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv TCPWantZeroWindowAdv"
	" TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd"
	" TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv"
	" TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2"
	" TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive"
	" TCPMTUPFail TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed"
	" TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig TCPFastOpenPassiveAltKey"
	" TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs"
	" TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure TCPPLBRehash"
	" TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood TCPAODroppedIcmps\n",
	"IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts"
	" OutBcastPkts InOctets OutOctets InMcastOctets OutMcastOctets InBcastOctets"
	" OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts"
	" ReasmOverlaps\n",
	"MPTcpExt: MPCapableSYNRX MPCapableSYNTX MPCapableSYNACKRX MPCapableACKRX"
	" MPCapableFallbackACK MPCapableFallbackSYNACK MPCapableSYNTXDrop"
	" MPCapableSYNTXDisabled MPCapableEndpAttempt MPFallbackTokenInit MPTCPRetrans"
	" MPJoinNoTokenFound MPJoinSynRx MPJoinSynBackupRx MPJoinSynAckRx"
	" MPJoinSynAckBackupRx MPJoinSynAckHMacFailure MPJoinAckRx MPJoinAckHMacFailure"
	" MPJoinRejected MPJoinSynTx MPJoinSynTxCreatSkErr MPJoinSynTxBindErr"
	" MPJoinSynTxConnectErr DSSNotMatching DSSCorruptionFallback DSSCorruptionReset"
	" InfiniteMapTx InfiniteMapRx DSSNoMatchTCP DataCsumErr OFOQueueTail OFOQueue"
	" OFOMerge NoDSSInWindow DuplicateData AddAddr AddAddrTx AddAddrTxDrop EchoAdd"
	" EchoAddTx EchoAddTxDrop PortAdd AddAddrDrop MPJoinPortSynRx"
	" MPJoinPortSynAckRx MPJoinPortAckRx MismatchPortSynRx MismatchPortAckRx RmAddr"
	" RmAddrDrop RmAddrTx RmAddrTxDrop RmSubflow MPPrioTx MPPrioRx MPFailTx"
	" MPFailRx MPFastcloseTx MPFastcloseRx MPRstTx MPRstRx SubflowStale"
	" SubflowRecover SndWndShared RcvWndShared RcvWndConflictUpdate RcvWndConflict"
	" MPCurrEstab Blackhole MPCapableDataFallback MD5SigFallback DssFallback"
	" SimultConnectFallback FallbackFailed WinProbe\n",
	"Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams"
	" InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes"
	" ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates"
	" OutTransmits\n",
	"Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs"
	" InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps"
	" InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal"
	" OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs"
	" OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks"
	" OutAddrMaskReps\n",
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails"
	" EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n",
	"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors"
	" InCsumErrors IgnoredMulti MemErrors\n",
	"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors"
	" InCsumErrors IgnoredMulti MemErrors\n",
};

/* The values lines, read before the burst ... */
static const char *const before_values[NGROUPS] = {
	"TcpExt: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	"IpExt: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	"MPTcpExt: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0\n",
	"Ip: 2 64 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	"Icmp: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	"Tcp: 1 200 120000 -1 0 0 0 0 0 0 0 0 0 0 0\n",
	"Udp: 0 0 0 0 0 0 0 0 0\n",
	"UdpLite: 0 0 0 0 0 0 0 0 0\n",
};

/* ... and after it. */
static const char *const after_values[NGROUPS] = {
	"TcpExt: 0 0 0 0 0 0 0 0 0 0 29 0 0 0 0 0 0 0 0 0 0 0 287 565 0 85 29 0 0 0 0 0"
	" 0 0 0 0 0 0 0 0 0 0 0 285 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0 0 0 0 0 0 0 278 0 29 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 285 116 0 0 0"
	" 0 0 0 0 0 0 0 0 0 0 0 145 0 0 0 0 0 0 285 0 0 0 0 0 0 0 0 0 0 0\n",
	"IpExt: 0 0 0 0 0 0 55820 55820 0 0 0 0 0 853 0 0 0 0\n",
	"MPTcpExt: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	" 0 0 0\n",
	"Ip: 2 64 853 0 0 0 0 0 853 853 0 0 0 0 0 0 0 0 0 853\n",
	"Icmp: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	"Tcp: 1 200 120000 -1 307 29 0 0 0 853 568 285 0 0 0\n",
	"Udp: 0 0 0 0 0 0 0 0 0\n",
	"UdpLite: 0 0 0 0 0 0 0 0 0\n",
};

/* The two files' texts as they were read, each names line followed by its values line. */
static char before_text[16384], after_text[16384];

static void make_text(char *text, size_t len, const char *const *values)
{
	size_t used = 0;

	text[0] = 0;
	for (int i = 0; i < NGROUPS; i++)
		used += (size_t)snprintf(text + used, len - used, "%s%s", names[i], values[i]);
	assert_true(used < len);
}

static int make_texts(void **state)
{
	make_text(before_text, sizeof(before_text), before_values);
	make_text(after_text, sizeof(after_text), after_values);
	return 0;
}

static const char *const ext[] = { "TcpExt", "IpExt", NULL }, *const tcp[] = { "Tcp", NULL };

/* Both files' texts as netstat_read() takes them: netstat's groups, then snmp's Tcp. */
static void parse_both(const char *text, struct vec *v)
{
	*v = VEC_INIT(struct netstat_counter);
	assert_int_equal(netstat_parse(text, ext, v), 0);
	assert_int_equal(netstat_parse(text, tcp, v), 0);
}

static const struct netstat_counter *get(const struct vec *v, const char *name)
{
	return find(v, name);
}

static void test_parse_pairs(void **state)
{
	struct vec v;

	(void)state;
	parse_both(after_text, &v);
	assert_non_null(get(&v, "ListenOverflows"));
	assert_int_equal(get(&v, "ListenOverflows")->value, 287);
	assert_int_equal(get(&v, "ListenDrops")->value, 565);
	assert_int_equal(get(&v, "InOctets")->value, 55820);  /* IpExt */
	assert_int_equal(get(&v, "ActiveOpens")->value, 307); /* Tcp, from the snmp text */
	assert_null(get(&v, "InReceives"));		      /* Ip: a group not asked for */
	assert_null(get(&v, "InDelivers"));
	/* Tcp's gauges and constants are not counters */
	assert_null(get(&v, "CurrEstab"));
	assert_null(get(&v, "MaxConn"));
	assert_null(get(&v, "RtoMin"));
	/* IpExt had InCsumErrors first: Tcp's is named with its group */
	assert_non_null(get(&v, "InCsumErrors"));
	assert_non_null(get(&v, "TcpInCsumErrors"));
	vec_free(&v);
}

static void test_delta_study_and_moved(void **state)
{
	struct vec b, a;

	(void)state;
	parse_both(before_text, &b);
	parse_both(after_text, &a);
	json_t *d = netstat_delta_json(&b, &a);
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(d, "ListenOverflows")), 287);
	assert_int_equal(json_integer_value(json_object_get(d, "ListenDrops")), 565);
	assert_int_equal(json_integer_value(json_object_get(d, "TCPReqQFullDrop")), 278);
	assert_int_equal(json_integer_value(json_object_get(d, "TCPSynRetrans")), 285);
	assert_int_equal(json_integer_value(json_object_get(d, "RetransSegs")), 285);
	assert_int_equal(json_integer_value(json_object_get(d, "TW")), 29); /* moved, not study */
	/* the study's are there at 0; the others only where they moved */
	for (size_t i = 0; i < netstat_nstudy; i++)
		assert_non_null(json_object_get(d, netstat_study[i]));
	assert_int_equal(json_integer_value(json_object_get(d, "OutRsts")), 0);
	assert_null(json_object_get(d, "PruneCalled"));
	/* 15 of the study's, and 15 others that moved: 3 IpExt, 4 Tcp, 8 TcpExt */
	assert_int_equal(json_object_size(d), 30);
	json_decref(d);
	vec_free(&b);
	vec_free(&a);
}

static void test_delta_odd_readings(void **state)
{
	struct vec b = VEC_INIT(struct netstat_counter), a = VEC_INIT(struct netstat_counter);

	(void)state;
	/* a counter that went back counts 0; one missing before is left out; a names
	 * line without its values line (another prefix in between) is skipped */
	assert_int_equal(netstat_parse("TcpExt: OutRsts TW\nTcpExt: 9 4\n", ext, &b), 0);
	assert_int_equal(netstat_parse("TcpExt: OutRsts TW Novel\nTcpExt: 5 7 3\n"
				       "IpExt: InOctets\nTcp: OutSegs\nIpExt: 12\n",
				       ext, &a),
			 0);
	assert_int_equal(a.len, 3);
	json_t *d = netstat_delta_json(&b, &a);
	assert_int_equal(json_integer_value(json_object_get(d, "OutRsts")), 0);
	assert_int_equal(json_integer_value(json_object_get(d, "TW")), 3);
	assert_null(json_object_get(d, "Novel"));
	assert_null(json_object_get(d, "InOctets"));
	json_decref(d);
	vec_free(&b);
	vec_free(&a);
}

/* netstat_read: DIR/netstat's TcpExt and IpExt, DIR/snmp's Tcp. */
static void test_read_dir(void **state)
{
	char dir[] = "/tmp/test_netns.XXXXXX", path[256];
	struct vec v = VEC_INIT(struct netstat_counter);

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* the fixture holds both files' text; each file gets all of it, so both
	 * groups' readers find theirs where netstat_read looks */
	snprintf(path, sizeof(path), "%s/netstat", dir);
	assert_int_equal(files_write(path, after_text, strlen(after_text)), 0);
	snprintf(path, sizeof(path), "%s/snmp", dir);
	assert_int_equal(files_write(path, after_text, strlen(after_text)), 0);
	assert_int_equal(netstat_read(dir, &v), 0);
	assert_int_equal(get(&v, "ListenOverflows")->value, 287);
	assert_int_equal(get(&v, "RetransSegs")->value, 285);
	vec_free(&v);
	files_rmtree(dir);
	assert_int_equal(netstat_read(dir, &v), -1); /* gone */
	vec_free(&v);
}

static void test_options(void **state)
{
	struct netns_opts o = { 0 };
	struct vec server = VEC_INIT(char *);
	char *bind = "--bind", **slot;

	(void)state;
	assert_null(netns_take(&o, NETNS_OPT_NETNS, NULL));
	assert_int_equal(o.mode, NETNS_LO);
	assert_null(netns_take(&o, NETNS_OPT_NETNS, "veth"));
	assert_int_equal(o.mode, NETNS_VETH);
	assert_non_null(netns_take(&o, NETNS_OPT_NETNS, "eth0"));
	assert_null(netns_take(&o, NETNS_OPT_SYSCTL, "net.ipv4.tcp_syncookies=0"));
	assert_null(netns_take(&o, NETNS_OPT_SYSCTL, "net.core.somaxconn=5"));
	assert_int_equal(o.sysctl.len, 2);
	assert_non_null(strstr(netns_take(&o, NETNS_OPT_SYSCTL, "kernel.pid_max=9"), "net."));
	assert_non_null(netns_take(&o, NETNS_OPT_SYSCTL, "net.ipv4.tcp_syncookies"));
	assert_non_null(netns_take(&o, NETNS_OPT_SYSCTL, "net.ipv4.tcp_syncookies="));
	assert_non_null(netns_take(&o, NETNS_OPT_SYSCTL, "net..x=1"));
	assert_non_null(netns_take(&o, NETNS_OPT_SYSCTL, "net.ipv4/../../x=1"));
	assert_non_null(netns_take(&o, NETNS_OPT_DELAY, "-1"));
	assert_non_null(netns_take(&o, NETNS_OPT_LOSS, "101"));
	assert_null(netns_take(&o, NETNS_OPT_DELAY, "20"));
	assert_null(netns_take(&o, NETNS_OPT_LOSS, "0.5"));
	assert_null(netns_check(&o, &server));
	slot = vec_push(&server);
	*slot = bind;
	assert_non_null(strstr(netns_check(&o, &server), "--bind"));
	o.mode = NETNS_LO;
	assert_non_null(strstr(netns_check(&o, &server), "--netns=veth"));
	o.delay = o.loss = false;
	assert_null(netns_check(&o, &server)); /* --bind is the user's with lo */
	o.mode = NETNS_OFF;
	assert_non_null(strstr(netns_check(&o, &server), "--sysctl needs --netns"));
	vec_free(&server);
	netns_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_pairs),
		cmocka_unit_test(test_delta_study_and_moved),
		cmocka_unit_test(test_delta_odd_readings),
		cmocka_unit_test(test_read_dir),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, make_texts, NULL);
}
