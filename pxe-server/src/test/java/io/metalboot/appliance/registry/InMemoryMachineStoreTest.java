package io.metalboot.appliance.registry;

class InMemoryMachineStoreTest extends MachineStoreContract {
    @Override
    MachineStore openEmpty() {
        return new InMemoryMachineStore();
    }
}
