"""HTTP plumbing shared by the catalog: the pooled session component (``http.session``)."""
