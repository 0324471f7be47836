using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Accounts;
using Portal.Data.Entities;

namespace Portal.Data;

public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<EncoderRecord> Encoders => Set<EncoderRecord>();
    public DbSet<DatasetFetchRecord> DatasetFetches => Set<DatasetFetchRecord>();
    /// <summary>Benchmarks, galleries and training-image sets together (what jobs and results point at).</summary>
    public DbSet<DatasetRecord> Datasets => Set<DatasetRecord>();
    public DbSet<BenchmarkRecord> Benchmarks => Set<BenchmarkRecord>();
    public DbSet<GalleryRecord> Galleries => Set<GalleryRecord>();
    public DbSet<TrainingImageSetRecord> TrainingImageSets => Set<TrainingImageSetRecord>();
    public DbSet<JobRecord> Jobs => Set<JobRecord>();
    public DbSet<ResultRecord> Results => Set<ResultRecord>();
    public DbSet<ResultSplit> ResultSplits => Set<ResultSplit>();
    public DbSet<ItemRecord> Items => Set<ItemRecord>();
    public DbSet<ApiTokenRecord> ApiTokens => Set<ApiTokenRecord>();
    public DbSet<WorkerRecord> Workers => Set<WorkerRecord>();
    public DbSet<ReportedResultRecord> ReportedResults => Set<ReportedResultRecord>();

    // Job rows carry their last change so the web can relay changed rows to browsers (ExecuteUpdate callers set it themselves).
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        CheckDatasetKinds();
        StampJobs();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken ct = default)
    {
        CheckDatasetKinds();
        StampJobs();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, ct);
    }

    private void StampJobs()
    {
        var now = DateTime.UtcNow;
        foreach (var e in ChangeTracker.Entries<JobRecord>())
            if (e.State is EntityState.Added or EntityState.Modified) e.Entity.UpdatedAt = now;
    }

    // The table a dataset sits in says what it is: a gallery stored with kind '2afc' would rank reconstructions on a board.
    private void CheckDatasetKinds()
    {
        foreach (var e in ChangeTracker.Entries<DatasetRecord>())
            if (e.State is EntityState.Added or EntityState.Modified && !e.Entity.Allows(e.Entity.TaskKind))
                throw new InvalidOperationException($"a {e.Entity.GetType().Name} cannot have task kind '{e.Entity.TaskKind.Key()}' ({e.Entity.Name})");
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        // Identity's tables (AspNetUsers, AspNetRoles...) first, then the portal's.
        base.OnModelCreating(b);

        b.Entity<ApiTokenRecord>(e =>
        {
            e.ToTable("api_tokens");
            e.HasIndex(x => x.Hash).IsUnique();
            e.HasIndex(x => x.UserId);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(Accounts.ApiTokens.MaxNameLength);
            e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<DatasetFetchRecord>(e =>
        {
            e.ToTable("dataset_fetches");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Dataset).HasMaxLength(64);
            e.HasIndex(x => new { x.Status, x.Id });
        });

        b.Entity<EncoderRecord>(e =>
        {
            e.ToTable("encoders");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            // One record per distinct file: a second upload of the same bytes is linked to the first.
            e.HasIndex(x => x.Sha256).IsUnique();
            e.HasIndex(x => x.Status);
            // A derived encoder (FARE) outlives a deleted parent: the link is cleared, not the child.
            e.HasOne<EncoderRecord>().WithMany().HasForeignKey(x => x.ParentEncoderId).OnDelete(DeleteBehavior.SetNull);
        });

        // Table per type: "datasets" holds what every kind has (and the one id space jobs and results point at); each
        // kind's table holds its rows' own columns, keyed by the same id.
        b.Entity<DatasetRecord>(e =>
        {
            e.ToTable("datasets");
            e.UseTptMappingStrategy();
            e.HasIndex(x => x.Name).IsUnique();
            // Stored by its key ("2afc", "retrieval", …), the column's values since the first schema.
            e.Property(x => x.TaskKind).HasConversion(k => k.Key(), s => TaskKinds.Parse(s));
        });
        b.Entity<BenchmarkRecord>().ToTable("benchmarks");
        b.Entity<GalleryRecord>().ToTable("galleries");
        b.Entity<TrainingImageSetRecord>().ToTable("training_image_sets");

        b.Entity<JobRecord>(e =>
        {
            e.ToTable("jobs");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.ComplexProperty(x => x.Config, c => ConfigureConfig(c));
            e.HasOne(x => x.Encoder).WithMany().HasForeignKey(x => x.EncoderId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => new { x.Status, x.Id });
            e.HasIndex(x => new { x.EncoderId, x.DatasetId, x.ConfigKey });
            e.HasIndex(x => x.UpdatedAt);
            e.Property(x => x.Queue).HasMaxLength(64);
        });

        b.Entity<WorkerRecord>(e =>
        {
            e.ToTable("workers");
            e.HasIndex(x => x.Name).IsUnique();
            e.HasIndex(x => x.HeartbeatAt);
        });

        b.Entity<ResultRecord>(e =>
        {
            e.ToTable("results");
            e.ComplexProperty(x => x.Config, c => ConfigureConfig(c));
            e.Property(x => x.Metric).HasMaxLength(32);
            e.HasOne(x => x.Encoder).WithMany().HasForeignKey(x => x.EncoderId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Splits).WithOne().HasForeignKey(x => x.ResultId).OnDelete(DeleteBehavior.Cascade);
            // The reuse rule as a constraint: one result per checkpoint × dataset version × configuration.
            e.HasIndex(x => new { x.EncoderSha256, x.DatasetVersion, x.ConfigKey }).IsUnique();
            e.HasIndex(x => x.JobId).IsUnique();
        });

        b.Entity<ResultSplit>(e =>
        {
            e.ToTable("result_splits");
            e.HasIndex(x => new { x.ResultId, x.Name }).IsUnique();
        });

        b.Entity<ReportedResultRecord>(e =>
        {
            e.ToTable("reported_results");
            // Provenance is the key: a re-import of the same table updates its rows in place.
            e.HasIndex(x => new { x.Paper, x.Table, x.Row }).IsUnique();
            e.HasIndex(x => new { x.Method, x.Encoder, x.Training });
            e.Property(x => x.Paper).HasMaxLength(Reported.ReportedCsv.MaxFieldLength);
            e.Property(x => x.Table).HasMaxLength(16);
        });

        b.Entity<ItemRecord>(e =>
        {
            e.ToTable("job_items");
            e.HasIndex(x => new { x.JobId, x.ItemId }).IsUnique();
        });
    }

    private static void ConfigureConfig(ComplexPropertyBuilder<JobConfig> c)
    {
        c.Property(x => x.Attack).HasColumnName("attack").HasMaxLength(16);
        c.Property(x => x.Norm).HasColumnName("norm").HasMaxLength(8);
        c.Property(x => x.Eps).HasColumnName("eps");
        c.Property(x => x.Iterations).HasColumnName("iterations");
        c.Property(x => x.Restarts).HasColumnName("restarts");
        c.Property(x => x.Seed).HasColumnName("seed");
        c.Property(x => x.Limit).HasColumnName("sample_limit");
        c.Property(x => x.Queries).HasColumnName("queries");
        c.Property(x => x.Options).HasColumnName("options");
    }
}
