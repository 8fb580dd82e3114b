extension SyntheticEventGenerator {
    /// Streams events in non-decreasing time order from a small heap of running sessions.
    public struct Iterator: IteratorProtocol, Sendable {
        struct RunningSession: Sendable {
            var nextTime: Int64
            var sequence: Int
            var user: Int
            var category: Int
            var remaining: Int

            func precedes(_ other: RunningSession) -> Bool {
                (nextTime, sequence) < (other.nextTime, other.sequence)
            }
        }

        let generator: SyntheticEventGenerator
        var rng: Xoshiro256StarStar
        var emitted = 0
        var clock: Int64
        var userFreeAt: [Int64]
        var userBusy: [Bool]
        var heap: [RunningSession] = []
        var sessionsStarted = 0

        init(generator: SyntheticEventGenerator) {
            let p = generator.parameters
            self.generator = generator
            rng = Xoshiro256StarStar(seed: p.seed)
            clock = p.startTimeSeconds
            userFreeAt = Array(repeating: p.startTimeSeconds, count: p.users)
            userBusy = Array(repeating: false, count: p.users)
            for _ in 0..<p.concurrentSessions { startSession() }
        }

        public mutating func next() -> Event? {
            let p = generator.parameters
            guard emitted < p.events, var session = heap.first else { return nil }
            clock = session.nextTime
            let item: Int
            if rng.nextUnit() < p.categoryStickiness {
                let index = SyntheticEventGenerator.sample(generator.categoryCumulative[session.category], &rng)
                item = generator.categoryItems[session.category][index]
            } else {
                item = generator.globalItems[SyntheticEventGenerator.sample(generator.globalCumulative, &rng)]
            }
            let event = Event(
                user: "u\(session.user)", item: "i\(item)", timestampMillis: session.nextTime * 1000,
                attributes: ["category": "c\(generator.itemCategory[item])", "shop": "s\(generator.itemShop[item])"])
            emitted += 1
            session.remaining -= 1
            if session.remaining > 0 {
                let maxStep = Int(Swift.min(300, p.sessionGapSeconds - 5))
                session.nextTime += 5 + Int64(rng.nextInt(below: maxStep))
                replaceTop(with: session)
            } else {
                userBusy[session.user] = false
                userFreeAt[session.user] =
                    session.nextTime + p.sessionGapSeconds + 1 + Int64(rng.nextInt(below: Int(p.sessionGapSeconds) * 20 + 1))
                popTop()
                startSession()
            }
            return event
        }

        /// Starts a session of a user who has none running, at or after the clock.
        private mutating func startSession() {
            let p = generator.parameters
            var user = rng.nextInt(below: p.users)
            var tries = 0
            while userBusy[user] {
                tries += 1
                user = tries < 8 ? rng.nextInt(below: p.users) : (user + 1) % p.users
            }
            userBusy[user] = true
            let preferences = generator.userPreferences[user]
            let category =
                rng.nextUnit() < p.preferenceStrength
                ? preferences[rng.nextInt(below: preferences.count)] : rng.nextInt(below: p.categories)
            let length = p.minSessionLength + rng.nextInt(below: p.maxSessionLength - p.minSessionLength + 1)
            let start = Swift.max(clock + Int64(rng.nextInt(below: 60)), userFreeAt[user])
            sessionsStarted += 1
            push(RunningSession(nextTime: start, sequence: sessionsStarted, user: user, category: category, remaining: length))
        }

        // Binary min-heap on (nextTime, sequence).
        private mutating func push(_ session: RunningSession) {
            heap.append(session)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].precedes(heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func popTop() {
            let last = heap.removeLast()
            if !heap.isEmpty { replaceTop(with: last) }
        }

        private mutating func replaceTop(with session: RunningSession) {
            heap[0] = session
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }
}
