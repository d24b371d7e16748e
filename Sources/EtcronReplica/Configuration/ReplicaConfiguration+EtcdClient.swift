import EtcdClient

extension ReplicaConfiguration {
    /// The etcd client configuration for these settings: endpoints, TLS when any TLS file
    /// is set, and credentials when a user is set. Time limits keep the client's
    /// defaults.
    public var etcdClientConfiguration: EtcdClientConfiguration {
        var client = EtcdClientConfiguration(endpoints: etcd.endpoints)
        if etcd.caFile != nil || etcd.certificateFile != nil || etcd.keyFile != nil {
            client.tls = EtcdClientConfiguration.TLS(caFile: etcd.caFile, certificateFile: etcd.certificateFile, keyFile: etcd.keyFile)
        }
        if let username = etcd.username, let password = etcd.password {
            client.credentials = EtcdClientConfiguration.Credentials(username: username, password: password)
        }
        return client
    }
}
