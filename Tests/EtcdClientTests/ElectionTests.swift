import EtcdClient
import EtcdTestHarness
import Foundation
import Testing

extension ClientSuites {
    @Suite("sessions and elections")
    struct ElectionTests {
        @Test("of two candidates one leads; the other leads after the first resigns")
        func resignHandsOver() async throws {
            try await withClient { _, client in
                let first = Election(session: try await EtcdSession.create(client: client, ttl: 5), prefix: "/election")
                let second = Election(session: try await EtcdSession.create(client: client, ttl: 5), prefix: "/election")
                let won = try await first.campaign(value: Data("a"))
                let waiting = Task { try await second.campaign(value: Data("b")) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await first.leader()?.value == Data("a"))
                #expect(try await first.leader()?.createRevision == won.createRevision)
                try await first.resign()
                let secondWin = try await within(.seconds(5), "second candidate's win") { try await waiting.value }
                #expect(secondWin.value == Data("b"))
                #expect(secondWin.createRevision > won.createRevision)
                #expect(try await second.leader()?.key == secondWin.key)
                try await second.proclaim(value: Data("b2"))
                #expect(try await first.leader()?.value == Data("b2"))
            }
        }

        @Test("the waiting candidate leads once the leader's session lease is revoked")
        func revokedLease() async throws {
            try await withClient { _, client in
                let leaderSession = try await EtcdSession.create(client: client, ttl: 5)
                let first = Election(session: leaderSession, prefix: "/election")
                let second = Election(session: try await EtcdSession.create(client: client, ttl: 5), prefix: "/election")
                _ = try await first.campaign(value: Data("a"))
                let waiting = Task { try await second.campaign(value: Data("b")) }
                try await Task.sleep(for: .milliseconds(300))
                try await client.leaseRevoke(leaderSession.leaseID)
                let win = try await within(.seconds(5), "win after revoke") { try await waiting.value }
                #expect(win.value == Data("b"))
                #expect(try await leaderSession.done() == .lost("etcd reports lease \(leaderSession.leaseID) expired or revoked"))
            }
        }

        @Test("a deposed leader's fenced Txn is refused; the new leader's commits")
        func fencing() async throws {
            try await withClient { _, client in
                let oldSession = try await EtcdSession.create(client: client, ttl: 5)
                let old = try await Election(session: oldSession, prefix: "/election").campaign(value: Data("old"))
                let write = Txn(success: [.put("/fenced/record", Data("x"))])
                guard case .committed = try await client.txn(write, fencedBy: old.fence) else {
                    Issue.record("the leader's fenced write was refused")
                    return
                }
                let newElection = Election(session: try await EtcdSession.create(client: client, ttl: 5), prefix: "/election")
                let contender = Task { try await newElection.campaign(value: Data("new")) }
                // The old leader's session is lost (as when it froze past its TTL).
                try await client.leaseRevoke(oldSession.leaseID)
                let new = try await within(.seconds(5), "successor's win") { try await contender.value }
                let before = try #require(try await client.get("/fenced/record")).modRevision
                let stale = try await client.txn(Txn(success: [.put("/fenced/record", Data("stale"))]), fencedBy: old.fence)
                guard case .deposed = stale else {
                    Issue.record("a deposed leader's fenced write committed: \(stale)")
                    return
                }
                #expect(try #require(try await client.get("/fenced/record")).modRevision == before)
                // With inner compares the result says which branch ran.
                let guarded = Txn(
                    compare: [.createRevision("/fenced/record", .equal, 0)],
                    success: [.put("/fenced/record", Data("new"))],
                    failure: [.get(.key("/fenced/record"))])
                guard case .committed(let inner) = try await client.txn(guarded, fencedBy: new.fence) else {
                    Issue.record("the new leader's fenced write was refused")
                    return
                }
                #expect(!inner.succeeded)
                #expect(inner.responses.first?.range?.kvs.first?.valueString == "x")
            }
        }

        @Test("a campaign fails with sessionLost instead of returning a stale win")
        func campaignNoticesLostSession() async throws {
            try await withClient { _, client in
                let leader = Election(session: try await EtcdSession.create(client: client, ttl: 5), prefix: "/election")
                _ = try await leader.campaign(value: Data("a"))
                let doomedSession = try await EtcdSession.create(client: client, ttl: 2)
                let doomed = Election(session: doomedSession, prefix: "/election")
                let waiting = Task { try await doomed.campaign(value: Data("b")) }
                try await Task.sleep(for: .milliseconds(300))
                try await client.leaseRevoke(doomedSession.leaseID)
                let outcome = try await within(.seconds(10), "campaign outcome") { await waiting.result }
                switch outcome {
                case .success(let key): Issue.record("campaign returned a win after its session was lost: \(key)")
                case .failure(let error): #expect((error as? EtcdError)?.code == .sessionLost, "\(error)")
                }
                #expect(try await leader.leader()?.value == Data("a"))
            }
        }

        @Test("observe reports each leader in turn")
        func observe() async throws {
            try await withClient { _, client in
                let first = Election(session: try await EtcdSession.create(client: client, ttl: 5), prefix: "/election")
                let second = Election(session: try await EtcdSession.create(client: client, ttl: 5), prefix: "/election")
                let observer = Task {
                    var values: [String?] = []
                    for try await leader in first.observe() {
                        values.append(leader.map { String(decoding: $0.value, as: UTF8.self) })
                        if values.count == 3 { break }
                    }
                    return values
                }
                try await Task.sleep(for: .milliseconds(200))
                _ = try await first.campaign(value: Data("a"))
                let waiting = Task { try await second.campaign(value: Data("b")) }
                try await Task.sleep(for: .milliseconds(200))
                try await first.resign()
                _ = try await waiting.value
                let seen = try await within(.seconds(5), "observer") { try await observer.value }
                #expect(seen == [nil, "a", "b"])
            }
        }

        @Test("closing a session revokes its lease and ends it")
        func closeSession() async throws {
            try await withClient { _, client in
                let session = try await EtcdSession.create(client: client, ttl: 5)
                try await client.put("/member", value: "x", lease: session.leaseID)
                let events = session.events()
                await session.close()
                #expect(try await session.done() == .closed)
                #expect(!session.isAlive)
                #expect(try await client.get("/member") == nil)
                var last: EtcdSession.Event?
                for await event in events { last = event }
                #expect(last == .ended(.closed))
            }
        }
    }
}
