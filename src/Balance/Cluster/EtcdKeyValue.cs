namespace Balance.Cluster;

/// <summary>One key as etcd holds it, with the revision of its last change; <see cref="Deleted"/> for a delete event.</summary>
internal readonly record struct EtcdKeyValue(string Key, string Value, long ModRevision, bool Deleted = false);
