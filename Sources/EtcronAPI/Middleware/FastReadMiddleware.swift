import EtcronAPIModel
import Foundation
import HTTPTypes
@_spi(Generated) import OpenAPIRuntime

/// The innermost middleware: answers the two hottest reads, a page of jobs
/// (`listJobs`) and one job (`getJob`), with their JSON written by ``JobJSON`` instead of
/// Foundation's `JSONEncoder` (which took most of a replica's CPU for a page of 100 jobs).
///
/// Only the step from the handler's answer to bytes differs: the request is read by the
/// generated server's own converter, the same handler answers, and the bytes, headers and
/// status are those the generated server would send (`FastReadTests` compares them).
/// A request the converter cannot read, one whose `Accept` refuses JSON, or an answer
/// other than 200 goes the generated way, whose errors the outer middlewares know.
struct FastReadMiddleware: ServerMiddleware {
    let handler: APIHandler
    let converter: Converter

    init(handler: APIHandler, configuration: Configuration) {
        self.handler = handler
        converter = Converter(configuration: configuration)
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let answer: (HTTPResponse, HTTPBody?)?
        switch operationID {
        case Operations.listJobs.id: answer = try await listJobs(request)
        case Operations.getJob.id: answer = try await getJob(request, metadata)
        default: answer = nil
        }
        if let answer { return answer }
        return try await next(request, body, metadata)
    }

    private func listJobs(_ request: HTTPRequest) async throws -> (HTTPResponse, HTTPBody?)? {
        guard let input = try? listJobsInput(request), acceptsJSON(request) else { return nil }
        guard case .ok(let ok) = try await handler.listJobs(input), case .json(let list) = ok.body else { return nil }
        return Self.json(JobJSON.encode(list), headers: [:])
    }

    private func getJob(_ request: HTTPRequest, _ metadata: ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)? {
        guard let input = try? getJobInput(request, metadata), acceptsJSON(request) else { return nil }
        guard case .ok(let ok) = try await handler.getJob(input), case .json(let job) = ok.body else { return nil }
        return Self.json(JobJSON.encode(job), headers: [.eTag: ok.headers.ETag])
    }

    private func listJobsInput(_ request: HTTPRequest) throws -> Operations.listJobs.Input {
        let query = request.soar_query
        return Operations.listJobs.Input(
            query: .init(
                tenant: try converter.getOptionalQueryItemAsURI(
                    in: query, style: .form, explode: true, name: "tenant", as: Components.Parameters.TenantFilter.self),
                labelSelector: try converter.getOptionalQueryItemAsURI(
                    in: query, style: .form, explode: true, name: "labelSelector", as: Components.Parameters.LabelSelector.self),
                limit: try converter.getOptionalQueryItemAsURI(
                    in: query, style: .form, explode: true, name: "limit", as: Components.Parameters.Limit.self),
                _continue: try converter.getOptionalQueryItemAsURI(
                    in: query, style: .form, explode: true, name: "continue", as: Components.Parameters.Continue.self)),
            headers: .init(accept: try converter.extractAcceptHeaderIfPresent(in: request.headerFields)))
    }

    private func getJobInput(_ request: HTTPRequest, _ metadata: ServerRequestMetadata) throws -> Operations.getJob.Input {
        Operations.getJob.Input(
            path: .init(
                tenant: try converter.getPathParameterAsURI(in: metadata.pathParameters, name: "tenant", as: Components.Parameters.Tenant.self),
                name: try converter.getPathParameterAsURI(in: metadata.pathParameters, name: "name", as: Components.Parameters.JobName.self)),
            headers: .init(accept: try converter.extractAcceptHeaderIfPresent(in: request.headerFields)))
    }

    private func acceptsJSON(_ request: HTTPRequest) -> Bool {
        (try? converter.validateAcceptIfPresent("application/json", in: request.headerFields)) != nil
    }

    private static func json(_ bytes: [UInt8], headers: HTTPFields) -> (HTTPResponse, HTTPBody?) {
        var response = HTTPResponse(status: .ok, headerFields: headers)
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        return (response, HTTPBody(bytes))
    }
}
