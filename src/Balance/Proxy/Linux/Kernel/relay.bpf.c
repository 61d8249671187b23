// SPDX-License-Identifier: MIT OR GPL-2.0
//
// The kernel relay of balance (--kernel-relay): an sk_skb stream verdict
// program attached to a sockmap. Each relayed pair in the kernel owns two
// neighbouring slots, the client's socket at an even slot and its backend
// socket at the next one, so a socket's peer is at slot ^ 1.
//
// Built at build time with `clang -O2 -target bpf -c` (see Balance.csproj)
// and loaded by KernelRelayProgram.cs, which creates the maps itself: only
// the map names matter here, matched to the program's relocations. No
// system header is included, so clang alone builds it.
//
// A segment goes on to the peer only while user space has delivered every
// byte this program passed up to it before (passed == consumed): bytes still
// on their way through user space are never overtaken.

typedef unsigned int u32;
typedef unsigned long long u64;

#define SEC(name) __attribute__((section(name), used))

// struct __sk_buff of linux/bpf.h begins with the segment's length.
struct __sk_buff {
    u32 len;
};

enum { SK_DROP = 0, SK_PASS = 1 };

// Helper numbers of enum bpf_func_id.
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static u64 (*bpf_get_socket_cookie)(void *ctx) = (void *)46;
static long (*bpf_sk_redirect_map)(void *skb, void *map, u32 key, u64 flags) = (void *)52;

// The maps, created by the loader:
//   sockets        BPF_MAP_TYPE_SOCKMAP  u32 slot -> socket
//   slot_of_socket BPF_MAP_TYPE_HASH     u64 socket cookie -> u32 slot
//   slot_states    BPF_MAP_TYPE_ARRAY    u32 slot -> struct slot_state, mmapped by user space
struct map_name_only { int unused; };
struct map_name_only sockets SEC("maps");
struct map_name_only slot_of_socket SEC("maps");
struct map_name_only slot_states SEC("maps");

// In control: redirecting is allowed; the other bits count the bytes user
// space has taken from this socket (passed up by this program) and delivered.
#define ARMED (1ULL << 63)

struct slot_state {
    u64 control;    // written by user space
    u64 passed;     // written here: bytes handed to user space
    u64 redirected; // written here: bytes sent on to the peer socket
    u64 reserved;
};

SEC("sk_skb/stream_verdict")
int relay(struct __sk_buff *skb)
{
    // A segment with no data is a FIN. The socket has recorded it already
    // (its read end is shut, which user space sees and passes on after the
    // data), so the segment itself is dropped: queued behind bytes the
    // kernel still sends out of this socket, an empty segment, passed or
    // redirected, would be taken for a broken pipe and fail the socket.
    if (skb->len == 0)
        return SK_DROP;

    u64 cookie = bpf_get_socket_cookie(skb);
    u32 *slot = bpf_map_lookup_elem(&slot_of_socket, &cookie);
    if (!slot)
        return SK_PASS;

    u32 index = *slot;
    struct slot_state *state = bpf_map_lookup_elem(&slot_states, &index);
    if (!state)
        return SK_PASS;

    u64 control = *(volatile u64 *)&state->control;
    if ((control & ARMED) && (control & ~ARMED) == state->passed) {
        state->redirected += skb->len;
        return bpf_sk_redirect_map(skb, &sockets, index ^ 1, 0);
    }

    state->passed += skb->len;
    return SK_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
