import CronSchedule
import EtcronAPIModel
import EtcronCore
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func getCluster(_ input: Operations.getCluster.Input) async throws -> Operations.getCluster.Output {
        _ = try APICaller.current()
        let status: ClusterStatus
        do {
            status = try await ClusterStatus.read(client: store.client, keys: keys)
        } catch {
            throw APIError.unavailable("etcd cannot be reached: \(error)")
        }
        return .ok(.init(body: .json(.init(status))))
    }

    func previewSchedule(_ input: Operations.previewSchedule.Input) async throws -> Operations.previewSchedule.Output {
        _ = try APICaller.current()
        let query = input.query
        let count = Int(query.count ?? 5)
        guard (1...1000).contains(count) else { throw APIError.invalidParameter("count", "must be from 1 to 1000, not \(count)") }
        guard (1...1024).contains(query.expr.count) else { throw APIError.invalidParameter("expr", "must be 1 to 1024 characters long") }
        if let seed = query.seed, seed.count > 507 { throw APIError.invalidParameter("seed", "must be at most 507 characters long") }
        let zoneName = query.timeZone ?? "UTC"
        let zone: CronTimeZone
        do {
            zone = try CronTimeZone(identifier: zoneName)
        } catch {
            throw APIError.invalidParameter("timeZone", "\(error)")
        }
        let from = query.from ?? Date()
        let start = CronInstant(secondsSinceEpoch: Int64(from.timeIntervalSince1970.rounded(.down)))
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(query.expr, timeZone: zone, seed: query.seed, anchor: start)
        } catch {
            throw APIError.invalidParameter("expr", "\(error)")
        }
        let fires = schedule.fireTimes(after: start).prefix(count).map { Date(timeIntervalSince1970: Double($0.secondsSinceEpoch)) }
        let dst: Components.Schemas.SchedulePreview.dstPayload =
            !zone.hasTransitions ? .none : schedule.firesAtFixedWallClockTimes ? .fixedWallClock : .elapsedTime
        return .ok(.init(body: .json(.init(
            expression: schedule.expression, explanation: schedule.explanation, timeZone: zoneName, from: from,
            fireTimes: Array(fires), exhausted: fires.count < count, dst: dst))))
    }

    func getOpenAPIDocument(_ input: Operations.getOpenAPIDocument.Input) async throws -> Operations.getOpenAPIDocument.Output {
        .ok(.init(body: .json(try APIContract.document())))
    }
}
