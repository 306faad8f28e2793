#!/usr/bin/env python3
"""Writes wick's image (the Containerfile's layers, one layer) as an OCI image layout without a
container engine: `oci-image.py OUTPUT.tar ROOTFS-DIR`. The tar is what `podman load` and
`skopeo copy oci-archive:` read; its blobs are plain files a test can extract."""
import hashlib, io, json, os, sys, tarfile, time

def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), data

def main(output, rootfs):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        for path in sorted(os.listdir(rootfs)):
            tar.add(os.path.join(rootfs, path), arcname=path)
    layer_digest, layer_data = blob(layer.getvalue())
    config = {
        "architecture": "amd64", "os": "linux", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": {"Entrypoint": ["/usr/bin/wick", "daemon", "--units", "/etc/wick/units"], "StopSignal": "SIGTERM"},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        "history": [{"created_by": "make image (tools/oci-image.py)"}],
    }
    config_digest, config_data = blob(json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config_data)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": len(layer_data)}],
    }
    manifest_digest, manifest_data = blob(json.dumps(manifest, sort_keys=True).encode())
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": len(manifest_data),
        "annotations": {"org.opencontainers.image.ref.name": "wick:latest"}}]}
    with tarfile.open(output, "w") as out:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
        add("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add("index.json", json.dumps(index).encode())
        for digest, data in [(layer_digest, layer_data), (config_digest, config_data), (manifest_digest, manifest_data)]:
            add("blobs/sha256/" + digest.split(":")[1], data)
    print(f"{output}: wick:latest, manifest {manifest_digest}, layer {len(layer_data)} bytes")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
