package main

// The syncer turns a burst of watch events into one sync, soon after the first: a change
// to a NetworkPolicy is enforced within “debounce“ plus one iptables-restore. A slow periodic
// sync rewrites everything anyway, in case something was missed or undone.

import (
	"context"
	"log"
	"time"
)

const (
	debounce     = 100 * time.Millisecond // events this close are applied by one sync
	resyncPeriod = time.Minute            // the safety net: a full, forced sync this often
	retryDelay   = time.Second            // after a failed sync
)

type syncer struct {
	poke     chan struct{}
	debounce time.Duration
	resync   time.Duration
	retry    time.Duration
	sync     func(force bool) error // force: rewrite even what looks unchanged
}

func newSyncer(sync func(force bool) error) *syncer {
	return &syncer{
		poke:     make(chan struct{}, 1),
		debounce: debounce,
		resync:   resyncPeriod,
		retry:    retryDelay,
		sync:     sync,
	}
}

// changed asks for a sync; it never blocks (a sync already asked for covers this change).
func (s *syncer) changed() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// run syncs after each burst of changes and every resync period, once “ready“ (every store
// listed: rules rendered from a partial view would open or close the wrong Pods).
func (s *syncer) run(ctx context.Context, ready func() bool) {
	ticker := time.NewTicker(s.resync)
	defer ticker.Stop()
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-s.poke:
			if !sleep(ctx, s.debounce) {
				return
			}
			select { // the events of the window are in the stores: this sync covers them
			case <-s.poke:
			default:
			}
		case <-ticker.C:
			force = true
		}
		if !ready() {
			continue // the last store to be listed pokes again
		}
		if err := s.sync(force); err != nil {
			log.Printf("sync failed (again in %s): %v", s.retry, err)
			time.AfterFunc(s.retry, s.changed)
		}
	}
}
