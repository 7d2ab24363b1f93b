// The simulated inventory: vcsim's VPX model sized by the flags, the optional vSAN datastore, and the model
// fixes compat applies once at start-up so the inventory reads like vCenter's.
package main

import (
	"context"
	"fmt"
	"io/ioutil"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const vsanDatastoreName = "vsanDatastore"

func buildModel(cfg *config) (*simulator.Model, error) {
	m := simulator.VPX()
	m.Datacenter = cfg.datacenters
	m.Cluster = cfg.clusters
	m.ClusterHost = cfg.hosts
	m.Host = cfg.standaloneHosts
	m.Datastore = cfg.datastores
	m.Machine = cfg.vms

	if err := m.Create(); err != nil {
		m.Remove()
		return nil, err
	}
	if cfg.vsan {
		if err := addVsanDatastores(m); err != nil {
			m.Remove()
			return nil, fmt.Errorf("cannot add %s: %v", vsanDatastoreName, err)
		}
	}
	if cfg.compat {
		fixDatastoreMounts()
		dedupeFolderChildren()
		dedupeDatacenterNetworks()
	}
	return m, nil
}

// addVsanDatastores mounts one more local datastore on every host of each datacenter and dresses it as vSAN.
// vcsim has no vSAN; what the service looks at is summary.type, and vSAN's refusal of top-level directories
// (capability.topLevelDirectoryCreateSupported). info.url stays the local directory: vcsim maps every
// datastore path through it.
func addVsanDatastores(m *simulator.Model) error {
	ctx := context.Background()
	client, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return err
	}

	for _, dc := range datacenters() {
		hosts := entitiesIn(dc, "HostSystem")
		if len(hosts) == 0 {
			continue
		}
		dir, err := ioutil.TempDir("", fmt.Sprintf("govcsim-%s-%s-", dc.Name, vsanDatastoreName))
		if err != nil {
			return err
		}
		for _, host := range hosts {
			dss, err := object.NewHostSystem(client, host.Reference()).ConfigManager().DatastoreSystem(ctx)
			if err != nil {
				return err
			}
			if _, err := dss.CreateLocalDatastore(ctx, vsanDatastoreName, dir); err != nil {
				return err
			}
		}

		ds, ok := simulator.Map.FindByName(vsanDatastoreName, dc.Datastore).(*simulator.Datastore)
		if !ok {
			return fmt.Errorf("%s did not appear in %s", vsanDatastoreName, dc.Name)
		}
		membership := uuid.New().String()
		info := *ds.Info.GetDatastoreInfo()
		ds.Info = &types.VsanDatastoreInfo{DatastoreInfo: info, MembershipUuid: membership}
		ds.Summary.Type = string(types.HostFileSystemVolumeFileSystemTypeVsan)
		ds.Summary.Url = "ds:///vmfs/volumes/vsan:" + strings.ReplaceAll(membership, "-", "") + "/"
		ds.Capability.TopLevelDirectoryCreateSupported = types.NewBool(false)
	}
	return nil
}

// fixDatastoreMounts lists every mounting host in Datastore.host. vcsim replaces the Datastore object once per
// host it mounts the datastore on, so only the last host stays listed.
func fixDatastoreMounts() {
	hosts := simulator.Map.All("HostSystem")
	sortByRef(hosts)
	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		var mounts []types.DatastoreHostMount
		for _, h := range hosts {
			host := h.(*simulator.HostSystem)
			if simulator.FindReference(host.Datastore, ds.Self) == nil {
				continue
			}
			mounts = append(mounts, types.DatastoreHostMount{
				Key: host.Self,
				MountInfo: types.HostMountInfo{
					Path:       ds.Info.GetDatastoreInfo().Url,
					AccessMode: string(types.HostMountModeReadWrite),
					Mounted:    types.NewBool(true),
					Accessible: types.NewBool(true),
				},
			})
		}
		if len(mounts) > 0 {
			ds.Host = mounts
		}
	}
}

// dedupeFolderChildren lists each child once. vcsim adds a datastore to its folder once per mounting host.
func dedupeFolderChildren() {
	for _, e := range simulator.Map.All("Folder") {
		folder := e.(*simulator.Folder)
		folder.ChildEntity = uniqueRefs(folder.ChildEntity)
	}
}

// dedupeDatacenterNetworks lists each network once; vcsim adds a portgroup to Datacenter.network twice.
func dedupeDatacenterNetworks() {
	for _, dc := range datacenters() {
		dc.Network = uniqueRefs(dc.Network)
	}
}

func uniqueRefs(refs []types.ManagedObjectReference) []types.ManagedObjectReference {
	seen := make(map[types.ManagedObjectReference]bool, len(refs))
	unique := refs[:0]
	for _, ref := range refs {
		if !seen[ref] {
			seen[ref] = true
			unique = append(unique, ref)
		}
	}
	return unique
}

// isSameRef compares an optional moref (e.g. a Parent) with a moref.
func isSameRef(a *types.ManagedObjectReference, b types.ManagedObjectReference) bool {
	return a != nil && *a == b
}

func datacenters() []*simulator.Datacenter {
	var dcs []*simulator.Datacenter
	for _, e := range simulator.Map.All("Datacenter") {
		dcs = append(dcs, e.(*simulator.Datacenter))
	}
	sort.Slice(dcs, func(i, j int) bool { return dcs[i].Name < dcs[j].Name })
	return dcs
}

// entitiesIn returns the entities of one type below a datacenter, sorted by name.
func entitiesIn(dc *simulator.Datacenter, kind string) []mo.Entity {
	var found []mo.Entity
	for _, e := range simulator.Map.All(kind) {
		if owner := datacenterOf(e); owner != nil && owner.Self == dc.Self {
			found = append(found, e)
		}
	}
	sort.Slice(found, func(i, j int) bool { return nameOf(found[i]) < nameOf(found[j]) })
	return found
}

func datacenterOf(e mo.Entity) *simulator.Datacenter {
	for parent := e.Entity().Parent; parent != nil; {
		obj, ok := simulator.Map.Get(*parent).(mo.Entity)
		if !ok {
			return nil
		}
		if dc, ok := obj.(*simulator.Datacenter); ok {
			return dc
		}
		parent = obj.Entity().Parent
	}
	return nil
}

// inventoryPath is the path SearchIndex.FindByInventoryPath takes, e.g. /DC0/host/DC0_C0/Resources.
func inventoryPath(e mo.Entity) string {
	var names []string
	for cur := e; cur != nil && cur.Entity().Parent != nil; {
		names = append([]string{nameOf(cur)}, names...)
		next, _ := simulator.Map.Get(*cur.Entity().Parent).(mo.Entity)
		cur = next
	}
	return "/" + strings.Join(names, "/")
}

func sortByRef(entities []mo.Entity) {
	sort.Slice(entities, func(i, j int) bool {
		return entities[i].Reference().Value < entities[j].Reference().Value
	})
}
