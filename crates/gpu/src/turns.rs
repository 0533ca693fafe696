//! Tiles take turns on the device in the order they asked: a ticket lock.
//! A plain mutex lets the thread that just released it take it again
//! before a waiter wakes, so a large call would run tile after tile while
//! a small one waits for all of them.

use std::sync::{Condvar, Mutex, PoisonError};

/// First come, first served: each [`Turns::take`] waits for the turns
/// taken before it.
#[derive(Debug, Default)]
pub(crate) struct Turns {
    /// (next ticket to hand out, ticket being served)
    state: Mutex<(u64, u64)>,
    served: Condvar,
}

/// The device is this holder's until it is dropped.
pub(crate) struct Turn<'a> {
    turns: &'a Turns,
}

impl Turns {
    pub(crate) fn take(&self) -> Turn<'_> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let ticket = state.0;
        state.0 += 1;
        while state.1 != ticket {
            state = self
                .served
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        Turn { turns: self }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut state = self
            .turns
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.1 += 1;
        drop(state);
        self.turns.served.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    impl Turns {
        /// Tickets handed out so far.
        fn handed(&self) -> u64 {
            self.state.lock().unwrap().0
        }
    }

    #[test]
    fn turns_are_served_in_the_order_they_were_asked() {
        let turns = Arc::new(Turns::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = turns.take();
        let mut waiting = Vec::new();
        for id in 0..4 {
            let (mine, order) = (Arc::clone(&turns), Arc::clone(&order));
            waiting.push(std::thread::spawn(move || {
                let _turn = mine.take();
                order.lock().unwrap().push(id);
            }));
            // Thread `id` holds ticket id + 1 before the next one starts
            // (waiting on the count, not on the clock).
            while turns.handed() < id + 2 {
                std::thread::yield_now();
            }
        }
        drop(first);
        for t in waiting {
            t.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3]);
    }
}
