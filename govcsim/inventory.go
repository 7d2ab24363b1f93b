// The inventory JSON: stdout's second line and GET /govcsim/inventory. Tests read morefs, folders and the
// datastore directories from it instead of asking the simulator through the code under test.
package main

import (
	"net/url"
	"os"
	"reflect"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

type inventory struct {
	URL         string                `json:"url"`
	Username    string                `json:"username"`
	Password    string                `json:"password"`
	TLS         bool                  `json:"tls"`
	Compat      bool                  `json:"compat"`
	Strict      bool                  `json:"strict"`
	PID         int                   `json:"pid"`
	Datacenters []datacenterInventory `json:"datacenters"`
}

type datacenterInventory struct {
	Name            string               `json:"name"`
	Moref           string               `json:"moref"`
	VMFolder        string               `json:"vmFolder"`
	HostFolder      string               `json:"hostFolder"`
	DatastoreFolder string               `json:"datastoreFolder"`
	NetworkFolder   string               `json:"networkFolder"`
	Datastores      []datastoreInventory `json:"datastores"`
	Clusters        []namedRef           `json:"clusters"`
	Hosts           []namedRef           `json:"hosts"`
	ResourcePools   []poolInventory      `json:"resourcePools"`
	Networks        []namedRef           `json:"networks"`
	VMs             []namedRef           `json:"vms"`
}

type datastoreInventory struct {
	Name  string `json:"name"`
	Moref string `json:"moref"`
	Type  string `json:"type"`
	// Path is the local directory behind the datastore.
	Path string `json:"path"`
}

type namedRef struct {
	Name  string `json:"name"`
	Moref string `json:"moref"`
}

type poolInventory struct {
	Name  string `json:"name"`
	Moref string `json:"moref"`
	// Path is the inventory path, e.g. /DC0/host/DC0_C0/Resources.
	Path string `json:"path"`
}

func describeInventory(cfg *config, sdk *url.URL) *inventory {
	bare := *sdk
	bare.User = nil
	password, _ := sdk.User.Password()

	inv := &inventory{
		URL:      bare.String(),
		Username: sdk.User.Username(),
		Password: password,
		TLS:      cfg.tls,
		Compat:   cfg.compat,
		Strict:   cfg.strict,
		PID:      os.Getpid(),
	}
	for _, dc := range datacenters() {
		inv.Datacenters = append(inv.Datacenters, describeDatacenter(dc))
	}
	return inv
}

func describeDatacenter(dc *simulator.Datacenter) datacenterInventory {
	d := datacenterInventory{
		Name:            dc.Name,
		Moref:           dc.Self.Value,
		VMFolder:        dc.VmFolder.Value,
		HostFolder:      dc.HostFolder.Value,
		DatastoreFolder: dc.DatastoreFolder.Value,
		NetworkFolder:   dc.NetworkFolder.Value,
		Datastores:      []datastoreInventory{},
		Networks:        []namedRef{},
		Clusters:        named(entitiesIn(dc, "ClusterComputeResource")),
		Hosts:           named(entitiesIn(dc, "HostSystem")),
		VMs:             named(entitiesIn(dc, "VirtualMachine")),
		ResourcePools:   []poolInventory{},
	}

	for _, ref := range dc.Datastore {
		ds, ok := simulator.Map.Get(ref).(*simulator.Datastore)
		if !ok {
			continue
		}
		d.Datastores = append(d.Datastores, datastoreInventory{
			Name:  ds.Name,
			Moref: ds.Self.Value,
			Type:  ds.Summary.Type,
			Path:  ds.Info.GetDatastoreInfo().Url,
		})
	}

	for _, ref := range uniqueRefs(append([]types.ManagedObjectReference(nil), dc.Network...)) {
		switch ref.Type {
		case "DistributedVirtualSwitch", "VmwareDistributedVirtualSwitch":
			continue // a switch is not something a VM connects to
		}
		if obj := simulator.Map.Get(ref); obj != nil {
			d.Networks = append(d.Networks, namedRef{Name: nameOf(obj), Moref: ref.Value})
		}
	}

	for _, e := range entitiesIn(dc, "ResourcePool") {
		d.ResourcePools = append(d.ResourcePools, poolInventory{
			Name:  nameOf(e),
			Moref: e.Reference().Value,
			Path:  inventoryPath(e),
		})
	}
	return d
}

func named(entities []mo.Entity) []namedRef {
	refs := []namedRef{}
	for _, e := range entities {
		refs = append(refs, namedRef{Name: nameOf(e), Moref: e.Reference().Value})
	}
	return refs
}

// nameOf reads an object's name. Networks, portgroups and switches keep their name in a field of their own
// that shadows ManagedEntity.name, so the shallowest Name field wins.
func nameOf(obj mo.Reference) string {
	v := reflect.ValueOf(obj)
	for v.Kind() == reflect.Ptr {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("Name"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
			return f.String()
		}
	}
	if e, ok := obj.(mo.Entity); ok {
		return e.Entity().Name
	}
	return ""
}
