using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Jobs;

/// <summary>
/// A job as the API answers it: the record (through the API's serializer, so <see cref="Accounts.ServerDetailsJson"/>
/// still hides what visitors must not see) plus the names a reader needs to make sense of it without more calls — the
/// encoder's display name, the benchmark's name and task kind, and the submitter's user name (the record keeps ids only).
/// </summary>
public static class JobJson
{
    public static async Task<List<JsonObject>> ManyAsync(PortalDbContext db, IReadOnlyList<JobRecord> jobs, JsonSerializerOptions options, CancellationToken ct = default)
    {
        var encoderIds = jobs.Select(j => j.EncoderId).Distinct().ToList();
        var datasetIds = jobs.Select(j => j.DatasetId).Distinct().ToList();
        var userIds = jobs.Select(j => j.SubmittedBy).OfType<string>().Distinct().ToList();
        var encoders = await db.Encoders.AsNoTracking().Where(e => encoderIds.Contains(e.Id)).Select(e => new { e.Id, e.DisplayName }).ToDictionaryAsync(e => e.Id, e => e.DisplayName, ct);
        var datasets = await db.Datasets.AsNoTracking().Where(b => datasetIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, ct);
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).Select(u => new { u.Id, u.UserName }).ToDictionaryAsync(u => u.Id, u => u.UserName, ct);
        return jobs.Select(j =>
        {
            var node = JsonSerializer.SerializeToNode(j, options)!.AsObject();
            // The navigation properties are not loaded (null): the names below say what they would.
            node.Remove("encoder");
            node.Remove("dataset");
            // The API's name for the dataset a job runs on since its first version.
            node["benchmark_id"] = j.DatasetId;
            node.Remove("dataset_id");
            node["encoder_name"] = encoders.GetValueOrDefault(j.EncoderId);
            var dataset = datasets.GetValueOrDefault(j.DatasetId);
            node["benchmark_name"] = dataset?.Name;
            node["task_kind"] = dataset?.TaskKind.Key();
            // What clean_value / robust_value measure, as the result will say.
            node["metric"] = dataset is null ? null : ResultMetrics.For(dataset);
            node["submitter"] = j.SubmittedBy is { } id ? users.GetValueOrDefault(id) : null;
            return node;
        }).ToList();
    }

    public static async Task<JsonObject> OneAsync(PortalDbContext db, JobRecord job, JsonSerializerOptions options, CancellationToken ct = default) =>
        (await ManyAsync(db, [job], options, ct))[0];
}
